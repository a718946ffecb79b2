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

  static void assertAllocatesNothing(Runnable call) {
    assertAllocatesNothing(call, CALLS);
  }

  private static void assertAllocatesNothing(Runnable call, int calls) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < 3 * calls; i++) {
      call.run(); // warm-up: reach compiled code and grow any scratch space once
    }
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < calls; i++) {
      call.run();
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertTrue(allocated < 1024, allocated + " bytes allocated over " + calls + " calls");
  }
}
