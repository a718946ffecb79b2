package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Split products equal the single-threaded kernel's bit for bit, for every thread count. */
class ThreadedKernelsTest {
  private static final WorkerPool POOL = new WorkerPool(3);
  private final int threadsBefore = Parallelism.threads();

  @AfterEach
  void restoreThreads() {
    Parallelism.setThreads(threadsBefore);
  }

  private static Kernels base() {
    return KernelSelector.vectorModulePresent() ? KernelSelector.vector() : KernelSelector.scalar();
  }

  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @CsvSource({"64,256,784", "65,33,200", "256,128,256", "784,256,64", "97,10,1000", "40,300,300"})
  void splitProductsAreBitIdenticalForAnyThreadCount(int m, int n, int k) {
    Kernels single = base();
    ThreadedKernels threaded = new ThreadedKernels(single, POOL);
    SplittableRandom random = new SplittableRandom(m * 31L + n * 7L + k);
    float[] a = randoms(random, m * k + 3);
    float[] b = randoms(random, k * n + 5);
    for (boolean accumulate : new boolean[] {false, true}) {
      float[] start = randoms(random, m * n + 2);
      float[] expected = start.clone();
      float[] expectedTa = start.clone();
      float[] expectedTb = start.clone();
      single.gemm(m, n, k, a, 3, b, 5, expected, 2, accumulate);
      single.gemmTransA(m, n, k, a, 3, b, 5, expectedTa, 2, accumulate);
      single.gemmTransB(m, n, k, a, 3, b, 5, expectedTb, 2, accumulate);
      for (int threads = 1; threads <= 4; threads++) {
        Parallelism.setThreads(threads);
        float[] c = start.clone();
        threaded.gemm(m, n, k, a, 3, b, 5, c, 2, accumulate);
        assertArrayEquals(expected, c, "gemm with " + threads + " threads");
        c = start.clone();
        threaded.gemmTransA(m, n, k, a, 3, b, 5, c, 2, accumulate);
        assertArrayEquals(expectedTa, c, "gemmTransA with " + threads + " threads");
        c = start.clone();
        threaded.gemmTransB(m, n, k, a, 3, b, 5, c, 2, accumulate);
        assertArrayEquals(expectedTb, c, "gemmTransB with " + threads + " threads");
      }
    }
  }

  @Test
  void partsCoverEveryRowOnceAtAlignedStarts() {
    for (int m = 1; m < 300; m++) {
      for (int parts = 1; parts <= 4; parts++) {
        assertEquals(0, ThreadedKernels.rowStart(m, 0, parts));
        assertEquals(m, ThreadedKernels.rowStart(m, parts, parts));
        for (int p = 1; p < parts; p++) {
          int start = ThreadedKernels.rowStart(m, p, parts);
          org.junit.jupiter.api.Assertions.assertTrue(start % ThreadedKernels.ROW_ALIGNMENT == 0 || start == m,
              "m=" + m + " part " + p + " starts at " + start);
          org.junit.jupiter.api.Assertions.assertTrue(start >= ThreadedKernels.rowStart(m, p - 1, parts));
        }
      }
    }
  }

  @Test
  void aFailingPartPropagatesAndThePoolStaysUsable() {
    WorkerPool.Task failing = (part, parts) -> {
      if (part == 1) {
        throw new IllegalStateException("part 1 failed");
      }
    };
    assertThrows(IllegalStateException.class, () -> POOL.tryRun(failing, 2));
    int[] ran = new int[4];
    POOL.tryRun((part, parts) -> ran[part]++, 4);
    assertArrayEquals(new int[] {1, 1, 1, 1}, ran);
  }

  @Test
  void threadCountMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> Parallelism.setThreads(0));
  }

  private static float[] randoms(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return v;
  }
}
