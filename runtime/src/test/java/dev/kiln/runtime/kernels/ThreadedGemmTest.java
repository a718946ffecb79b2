package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.GemmTestSupport.startC;
import static dev.kiln.runtime.kernels.GemmTestSupport.strided;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.kernels.GemmTestSupport.Product;
import dev.kiln.runtime.kernels.GemmTestSupport.Strided;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Split products equal the single-threaded kernel's bit for bit, for every thread count. */
class ThreadedGemmTest {
  private static final WorkerPool POOL = new WorkerPool(3);
  private final int threadsBefore = Parallelism.threads();

  @AfterEach
  void restoreThreads() {
    Parallelism.setThreads(threadsBefore);
  }

  private static Gemm base() {
    return KernelSelector.vectorModulePresent() ? KernelSelector.vectorGemm() : KernelSelector.scalarGemm();
  }

  /**
   * Two threads splitting products at once: one gets the pool, the other computes alone. The one
   * left out must not touch the arguments the pool's parts are reading (it did: each call stored
   * its arguments in the one shared task before asking for the pool). The window was the moment
   * the parts read the task, so this caught it only now and then; the fix is structural (the task
   * is set only after {@link WorkerPool#tryAcquire}).
   */
  @Test
  void concurrentCallersGetTheirOwnProducts() throws Exception {
    Gemm single = base();
    ThreadedGemm threaded = new ThreadedGemm(single, POOL);
    Parallelism.setThreads(4);
    int m = 64;
    int n = 256;
    int k = 256; // 8.4 MFLOP: split
    float[][] as = new float[2][];
    float[][] bs = new float[2][];
    float[][] expected = new float[2][];
    Random rnd = new Random(17);
    for (int t = 0; t < 2; t++) {
      as[t] = new float[m * k];
      bs[t] = new float[k * n];
      for (int i = 0; i < as[t].length; i++) {
        as[t][i] = rnd.nextFloat() - 0.5f;
      }
      for (int i = 0; i < bs[t].length; i++) {
        bs[t][i] = rnd.nextFloat() - 0.5f;
      }
      expected[t] = new float[m * n];
      single.gemm(m, n, k, as[t], 0, k, bs[t], 0, n, expected[t], 0, n, false);
    }
    java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
    Thread[] threads = new Thread[2];
    for (int t = 0; t < 2; t++) {
      int own = t;
      threads[t] = new Thread(() -> {
        float[] c = new float[m * n];
        for (int call = 0; call < 400; call++) {
          threaded.gemm(m, n, k, as[own], 0, k, bs[own], 0, n, c, 0, n, false);
          if (!java.util.Arrays.equals(expected[own], c)) {
            wrong.incrementAndGet();
          }
        }
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(0, wrong.get(), "products that differ from the single-threaded one");
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} pad={3}")
  @CsvSource({"64,256,784,0", "65,33,200,0", "256,128,256,0", "784,256,64,0", "97,10,1000,0",
      "40,300,300,0", "97,40,600,3", "65,100,400,7", "128,128,128,1", "33,250,300,2", "16,1000,130,0",
      "7,520,1000,0"})
  void splitProductsAreBitIdenticalForAnyThreadCount(int m, int n, int k, int pad) {
    Gemm single = base();
    ThreadedGemm threaded = new ThreadedGemm(single, POOL);
    Random rnd = new Random(m * 31L + n * 7L + k + pad);
    for (Product product : Product.values()) {
      // pad 0: dense (lda = k for gemm, and so on); otherwise every row stride is padded.
      int[] as = product.aShape(m, k);
      int[] bs = product.bShape(n, k);
      Strided a = strided(rnd, as[0], as[1], 3, pad);
      Strided b = strided(rnd, bs[0], bs[1], 5, pad);
      int ldc = n + pad;
      for (boolean accumulate : new boolean[] {false, true}) {
        float[] start = startC(rnd, m, n, 2, ldc, accumulate);
        float[] expected = start.clone();
        product.run(single, m, n, k, a, b, expected, 2, ldc, accumulate);
        for (int threads = 1; threads <= 4; threads++) {
          Parallelism.setThreads(threads);
          float[] c = start.clone();
          product.run(threaded, m, n, k, a, b, c, 2, ldc, accumulate);
          assertArrayEquals(expected, c, product + " acc=" + accumulate + " with " + threads + " threads");
        }
      }
    }
  }

  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @CsvSource({"96,40,600,11", "24,300,600,12"}) // split by rows; by columns
  void splitProductsEqualTheScalarReference(int m, int n, int k, long seed) {
    // The split must compute the product itself, not merely the same thing at every thread count.
    SplittableRandom random = new SplittableRandom(seed);
    float[] a = randoms(random, m * k);
    float[] b = randoms(random, k * n);
    float[] expected = new float[m * n];
    KernelSelector.scalarGemm().gemm(m, n, k, a, 0, k, b, 0, n, expected, 0, n, false);
    Parallelism.setThreads(4);
    float[] c = new float[m * n];
    new ThreadedGemm(base(), POOL).gemm(m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
    KernelTestSupport.assertClose(expected, 0, c, 0, m * n, 1e-5, 2e-7 * k + 1e-6, "threaded gemm");
  }

  @Test
  void partsCoverEveryRowOnceAtAlignedStarts() {
    assertPartsCoverEveryIndexOnceAtAlignedStarts(ThreadedGemm::rowStart, ThreadedGemm.ROW_ALIGNMENT);
  }

  @Test
  void partsCoverEveryColumnOnceAtAlignedStarts() {
    assertPartsCoverEveryIndexOnceAtAlignedStarts(ThreadedGemm::columnStart, ThreadedGemm.COLUMN_ALIGNMENT);
  }

  /** {@code start.of(length, part, parts)}: 0 first, length after the last, aligned and non-decreasing between. */
  private static void assertPartsCoverEveryIndexOnceAtAlignedStarts(PartStart start, int alignment) {
    for (int length = 1; length < 300; length++) {
      for (int parts = 1; parts <= 4; parts++) {
        assertEquals(0, start.of(length, 0, parts));
        assertEquals(length, start.of(length, parts, parts));
        for (int p = 1; p < parts; p++) {
          int first = start.of(length, p, parts);
          org.junit.jupiter.api.Assertions.assertTrue(first % alignment == 0 || first == length,
              "length=" + length + " part " + p + " starts at " + first);
          org.junit.jupiter.api.Assertions.assertTrue(first >= start.of(length, p - 1, parts));
        }
      }
    }
  }

  @FunctionalInterface
  private interface PartStart {
    int of(int length, int part, int parts);
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
