// The tests CI may skip, each with the reason it cannot run them. Any other skipped (or todo)
// test fails CI: a skip must be a decision written down here, never something that happens.
// Patterns match a test's full name (suites and title joined by spaces).
export const EXPECTED_SKIPS = [
  {
    pattern: /measures f32 and f16 cuBLAS matmuls \(needs an NVIDIA GPU and PyTorch with CUDA\)/,
    reason: 'CI machines have no NVIDIA GPU; the device kit runs it on one (README, device kit)',
  },
  {
    pattern: /PyTorch peer is skipped, saying why, on a machine whose python3 has no torch/,
    reason: 'CI installs python3-torch so that the peer tests run; this checks machines without it',
  },
];

// Tests CI must have run and passed, by a pattern of their full names, lest they vanish unseen
// (for instance not registered because an environment variable went missing).
export const REQUIRED_RUNS = [
  {
    pattern: /PyTorch peer \(needs python3 with torch and numpy\)/,
    what: 'the PyTorch peer tests (.ci/install-system-deps.sh installs python3-torch)',
  },
  {
    pattern: /on the 'server' PostgreSQL/,
    what: "the database tests on the machine's PostgreSQL (FACTORLAB_TEST_SERVER_URL)",
  },
  { pattern: /\(needs shader-f16\)/, what: 'the f16 tests (lavapipe has shader-f16)' },
  {
    pattern: /training against the PyTorch peer 20 steps of AdamW/,
    what: 'the training loss curve against PyTorch (.ci/install-system-deps.sh installs torch)',
  },
  {
    pattern:
      /training benchmark times forward, backward and optimizer, the matmul rate and the PyTorch peer/,
    what: 'the training benchmark with its PyTorch peer',
  },
];
