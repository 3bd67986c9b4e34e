import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_IMAGE, OFFLINE_NODE_IMAGE } from '../config.js';
import { chooseNodeImage } from './node-image.js';

const having = (...images: string[]) => async (image: string) => images.includes(image);

describe('node image choice', () => {
  it('an explicit image always wins', async () => {
    expect((await chooseNodeImage('my/node:1', having(DEFAULT_NODE_IMAGE))).image).toBe('my/node:1');
  });
  it('prefers the official image when it is present', async () => {
    expect((await chooseNodeImage(undefined, having(DEFAULT_NODE_IMAGE, OFFLINE_NODE_IMAGE))).image).toBe(DEFAULT_NODE_IMAGE);
  });
  it('falls back to the offline image, and says why', async () => {
    const choice = await chooseNodeImage(undefined, having(OFFLINE_NODE_IMAGE));
    expect(choice.image).toBe(OFFLINE_NODE_IMAGE);
    expect(choice.reason).toContain('offline');
  });
  it('otherwise lets kind pull the official image', async () => {
    const choice = await chooseNodeImage(undefined, having());
    expect(choice.image).toBe(DEFAULT_NODE_IMAGE);
    expect(choice.reason).toContain('build:node-image');
  });
});
