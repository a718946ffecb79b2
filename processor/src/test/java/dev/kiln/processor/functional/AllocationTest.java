package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A prediction and a training step allocate nothing in steady state: the thread's allocated bytes
 * over 10,000 calls after warm-up stay under 1 KB.
 */
class AllocationTest {
  private static final int CALLS = 10_000;

  @Test
  void predictionAllocatesNothing() {
    FixtureNetworks_NetDeepModel model = new FixtureNetworks_NetDeepModel(1);
    float[] x = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f};
    float[] out = new float[3];
    assertAllocatesNothing(() -> model.predict(x, out));
  }

  @Test
  void trainingStepAllocatesNothing() {
    FixtureNetworks_NetIrisModel model = new FixtureNetworks_NetIrisModel(1, 16);
    float[][] x = new float[16][4];
    float[][] y = new float[16][3];
    for (int i = 0; i < 16; i++) {
      x[i][i % 4] = 1;
      y[i][i % 3] = 1;
    }
    assertAllocatesNothing(() -> model.trainOnBatch(x, y));
  }

  /** Weights go into a buffer the model allocates once, on the first weighted batch. */
  @Test
  void weightedTrainingStepAllocatesNothing() {
    FixtureNetworks_NetIrisModel model = new FixtureNetworks_NetIrisModel(1, 16);
    float[][] x = new float[16][4];
    float[][] y = new float[16][3];
    float[] weights = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i][i % 4] = 1;
      y[i][i % 3] = 1;
      weights[i] = 0.5f * (i % 4);
    }
    assertAllocatesNothing(() -> model.trainOnBatch(x, y, weights));
  }

  @Test
  void recurrentTrainingStepAndPredictionAllocateNothing() {
    RecurrentFixtureNetworks_NetLstmStackedModel lstm = new RecurrentFixtureNetworks_NetLstmStackedModel(1, 8);
    RecurrentFixtureNetworks_NetGruSeqModel gru = new RecurrentFixtureNetworks_NetGruSeqModel(1, 8);
    RecurrentFixtureNetworks_NetRnnLastModel rnn = new RecurrentFixtureNetworks_NetRnnLastModel(1, 8);
    float[][] x = new float[8][24];
    float[][] y = new float[8][3];
    float[][] xs = new float[8][15];
    float[][] ys = new float[8][10];
    float[][] yr = new float[8][2];
    for (int i = 0; i < 8; i++) {
      x[i][i] = 1;
      y[i][i % 3] = 1;
      xs[i][i] = 0.5f;
      ys[i][i] = -0.5f;
      yr[i][i % 2] = 1;
    }
    assertAllocatesNothing(() -> lstm.trainOnBatch(x, y));
    assertAllocatesNothing(() -> gru.trainOnBatch(xs, ys));
    assertAllocatesNothing(() -> rnn.trainOnBatch(xs, yr));
    float[] out = new float[3];
    assertAllocatesNothing(() -> lstm.predict(x[0], out));
  }

  @Test
  void threadSplitTrainingStepAllocatesNothing() {
    int before = dev.kiln.runtime.kernels.Parallelism.threads();
    dev.kiln.runtime.kernels.Parallelism.setThreads(2);
    try {
      ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(1, 64);
      float[][] x = new float[64][256];
      float[][] y = new float[64][10];
      for (int i = 0; i < 64; i++) {
        x[i][i] = 1;
        y[i][i % 10] = 1;
      }
      assertAllocatesNothing(() -> model.trainOnBatch(x, y), 2_000);
    } finally {
      dev.kiln.runtime.kernels.Parallelism.setThreads(before);
    }
  }

  /**
   * fit from memory-mapped files: the same samples in 2,000 steps of 1 or 2 steps of 1,000
   * allocate the same (per-fit and per-epoch work only), so a step reading a mapped dataset
   * allocates nothing.
   */
  @Test
  void trainingStepsFromAMappedDatasetAllocateNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    int samples = 2_000;
    float[] x = new float[samples * 3];
    long[] labels = new long[samples];
    for (int i = 0; i < samples; i++) {
      x[3 * i + i % 3] = 1;
      labels[i] = i % 4;
    }
    dev.kiln.runtime.data.Npy.writeFloat32(dir.resolve("x.npy"), new int[] {samples, 3}, x);
    dev.kiln.runtime.data.Npy.writeInt64(dir.resolve("y.npy"), new int[] {samples}, labels);
    dev.kiln.runtime.data.Dataset data = dev.kiln.runtime.data.Dataset.of(
        dev.kiln.runtime.data.Npy.map(dir.resolve("x.npy")), dev.kiln.runtime.data.Npy.map(dir.resolve("y.npy")));
    FixtureNetworks_NetSparseModel model = new FixtureNetworks_NetSparseModel(1, 1_000);
    dev.kiln.runtime.FitOptions manySteps = dev.kiln.runtime.FitOptions.epochs(1).withBatchSize(1).withVerbose(false);
    dev.kiln.runtime.FitOptions fewSteps = manySteps.withBatchSize(1_000);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long many = 0;
    long few = 0;
    // Until the JIT reaches steady state (escape analysis in compiled code): slower on a loaded
    // machine, so rounds go on until the difference vanishes or 40 rounds (80,000 steps) pass.
    for (int round = 0; round < 40; round++) {
      long start = threads.getThreadAllocatedBytes(thread);
      model.fit(data, manySteps);
      long middle = threads.getThreadAllocatedBytes(thread);
      model.fit(data, fewSteps);
      many = middle - start;
      few = threads.getThreadAllocatedBytes(thread) - middle;
      if (round >= 4 && many - few < 1024) {
        break;
      }
    }
    assertTrue(many - few < 1024, "2,000 steps allocated " + many + " bytes, 2 steps " + few);
  }


  static void assertAllocatesNothing(Runnable call) {
    assertAllocatesNothing(call, CALLS);
  }

  /**
   * After warm-up, some round of {@code calls} calls allocates under 1 KB in all. Rounds, not one
   * measurement: a loaded machine compiles late, and a one-time event (a recompilation, a class
   * initialized by another test's leftovers) lands in one round only, while a per-call allocation
   * of even 8 bytes costs every round {@code 8 * calls} bytes.
   */
  static void assertAllocatesNothing(Runnable call, int calls) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < 3 * calls; i++) {
      call.run(); // warm-up: reach compiled code and grow any scratch space once
    }
    java.util.List<Long> rounds = new java.util.ArrayList<>();
    for (int round = 0; round < 5; round++) {
      long before = threads.getThreadAllocatedBytes(thread);
      for (int i = 0; i < calls; i++) {
        call.run();
      }
      long allocated = threads.getThreadAllocatedBytes(thread) - before;
      if (allocated < 1024) {
        return;
      }
      rounds.add(allocated);
    }
    org.junit.jupiter.api.Assertions.fail("bytes allocated in each of 5 rounds of " + calls + " calls: " + rounds);
  }
}
