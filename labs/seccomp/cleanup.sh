#!/usr/bin/env bash
# Everything the lab creates lives in the namespace "seccomp". The profiles on
# the nodes belong to the cluster (kind-config/seccomp/profiles) and stay.
kubectl delete namespace seccomp --ignore-not-found --wait=true --timeout=170s
