// What a crash-looping kube-apiserver looked like from its node, recorded on
// kind (apiserver-diagnosis.fixture.json): the answers to the commands the
// diagnosis runs. Unit tests replay parts of it; browser tests replay it to
// show the break-glass panel without breaking a real apiserver.
import fs from 'node:fs';
import { z } from 'zod';

const execSchema = z.object({ exitCode: z.number().nullable(), stdout: z.string(), stderr: z.string() });

export const diagnosisRecordingSchema = z.object({
  description: z.string(),
  crashLoop: z.object({ readyz: execSchema, crictlPs: z.string(), crictlPsJson: z.string(), logs: execSchema }),
  noContainer: z.object({
    crictlPs: z.string(),
    crictlPsJson: z.string(),
    journals: z.object({ yamlError: z.string(), hostPathMissing: z.string(), mountWithoutVolume: z.string() }),
  }),
});
export type DiagnosisRecording = z.infer<typeof diagnosisRecordingSchema>;

export function loadDiagnosisRecording(): DiagnosisRecording {
  const file = new URL('./apiserver-diagnosis.fixture.json', import.meta.url);
  return diagnosisRecordingSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}
