package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Inference;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Serving: one Inference shared by many threads, while the model keeps training. */
class ServingTest {
  private static final int SAMPLES = 64;

  private static float[][] inputs() {
    SplittableRandom random = new SplittableRandom(4);
    float[][] x = new float[SAMPLES][5];
    for (float[] row : x) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) (random.nextDouble() * 4 - 2);
      }
    }
    return x;
  }

  @Test
  void inferenceEqualsTheModelsPredictions() {
    FixtureNetworks_NetBatchNormModel model = new FixtureNetworks_NetBatchNormModel(3);
    float[][] x = new float[8][5];
    for (int i = 0; i < 8; i++) {
      x[i][i % 5] = i + 1;
    }
    float[][] y = new float[8][1];
    model.fit(x, y, FitOptions.epochs(3).withBatchSize(8).withVerbose(false)); // moves the batch-norm statistics
    Inference inference = model.inference();
    for (float[] row : x) {
      assertArrayEquals(model.predict(row), inference.predict(row), 0f);
    }
    assertThrows(IllegalArgumentException.class, () -> inference.predict(new float[4]));
  }

  /**
   * A sample's prediction alone equals its row of a batch prediction, bit for bit, through every
   * exponentiating activation (NetDeep: tanh, gelu, sigmoid; NetMix: swish, selu, gelu-tanh; all
   * narrower than a vector, so a lone sample's layers are all vector tail).
   */
  @Test
  void aSampleAloneGetsItsBatchRowBitForBit() {
    float[][] deepInputs = inputs();
    float[][] deepBatch = new FixtureNetworks_NetDeepModel(5).predict(deepInputs);
    FixtureNetworks_NetDeepModel deep = new FixtureNetworks_NetDeepModel(5);
    SplittableRandom random = new SplittableRandom(9);
    float[][] mixInputs = new float[SAMPLES][6];
    for (float[] row : mixInputs) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) (random.nextDouble() * 6 - 3);
      }
    }
    FixtureNetworks_NetMixModel mix = new FixtureNetworks_NetMixModel(7);
    float[][] mixBatch = mix.predict(mixInputs);
    for (int i = 0; i < SAMPLES; i++) {
      assertArrayEquals(deepBatch[i], deep.predict(deepInputs[i]), 0f, "NetDeep sample " + i);
      assertArrayEquals(mixBatch[i], mix.predict(mixInputs[i]), 0f, "NetMix sample " + i);
    }
  }

  @Test
  void eightThreadsOfOneHundredThousandPredictionsEqualTheSequentialResults() throws Exception {
    FixtureNetworks_NetDeepModel model = new FixtureNetworks_NetDeepModel(5);
    float[][] x = inputs();
    Inference inference = model.inference();
    float[][] expected = new float[SAMPLES][];
    for (int i = 0; i < SAMPLES; i++) {
      expected[i] = model.predict(x[i]);
    }
    // Keep training the model meanwhile: the snapshot must not change.
    float[][] trainX = inputs();
    float[][] trainY = new float[SAMPLES][3];
    Thread trainer = new Thread(() -> model.fit(trainX, trainY,
        FitOptions.epochs(200).withBatchSize(16).withVerbose(false)));
    trainer.start();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        Callable<Integer> work = () -> {
          float[] out = new float[3];
          int mismatches = 0;
          for (int i = 0; i < 100_000; i++) {
            int sample = (i + offset * 7) % SAMPLES;
            inference.predict(x[sample], out);
            for (int c = 0; c < 3; c++) {
              mismatches += Float.floatToRawIntBits(out[c]) == Float.floatToRawIntBits(expected[sample][c]) ? 0 : 1;
            }
          }
          return mismatches;
        };
        results.add(pool.submit(work));
      }
      for (Future<Integer> result : results) {
        assertEquals(0, result.get(2, TimeUnit.MINUTES), "predictions differing from the sequential ones");
      }
    } finally {
      pool.shutdown();
      trainer.join();
    }
    assertTrue(model.predict(x[0])[0] != expected[0][0] || model.predict(x[1])[0] != expected[1][0],
        "the model itself did train meanwhile");
  }

  @Test
  void aPredictionAllocatesNothingAfterTheThreadsFirstCall() {
    Inference inference = new FixtureNetworks_NetDeepModel(5).inference();
    float[] x = inputs()[0];
    float[] out = new float[3];
    AllocationTest.assertAllocatesNothing(() -> inference.predict(x, out));
  }

  /** Activations of WideMlp at maxBatch 256: input 256, two Dense layers with pre-activations, softmax. */
  private static final long WIDE_ACTIVATION_BYTES = 256L * (256 + 2 * 192 + 2 * 96 + 2 * 10) * Float.BYTES;

  @Test
  void anInferenceProgramHoldsActivationsButNoGradients() {
    ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(3, 256);
    float[] x = new float[256];
    float[] out = new float[10];
    Inference warm = model.inference();
    // Until the kernels are compiled: interpreted and tier-3 Vector API code boxes its vectors.
    AllocationTest.assertAllocatesNothing(() -> warm.predict(x, out));
    Inference inference = model.inference();
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    inference.predict(x, out); // the first call creates the pool's first program
    long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    assertEquals(1, inference.programsCreated());
    // A training program would hold as much again in gradients (873 KB + 883 KB).
    assertTrue(allocated >= WIDE_ACTIVATION_BYTES && allocated < WIDE_ACTIVATION_BYTES + 16 * 1024,
        "first prediction allocated " + allocated + " bytes; the activations alone take " + WIDE_ACTIVATION_BYTES);
    assertArrayEquals(model.predict(x), out, 0f);
  }

  @Test
  void aPlatformThreadPoolCreatesNoMoreProgramsThanItHasThreads() throws Exception {
    Inference inference = new FixtureNetworks_NetDeepModel(5).inference();
    float[][] x = inputs();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          float[] out = new float[3];
          for (int i = 0; i < 10_000; i++) {
            inference.predict(x[i % SAMPLES], out);
          }
        }));
      }
      for (Future<?> result : results) {
        result.get(1, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdown();
    }
    assertTrue(inference.programsCreated() >= 1 && inference.programsCreated() <= 4,
        inference.programsCreated() + " programs for 4 threads");
  }

  /**
   * A virtual thread per prediction (JDK 21+): after warm-up, 20,000 predictions create no
   * program and allocate far less than one program per call, and every result equals the model's.
   */
  @Test
  void aVirtualThreadPerPredictionReusesPooledPrograms() throws Exception {
    assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21");
    ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(3, 256);
    SplittableRandom random = new SplittableRandom(8);
    float[][] x = new float[SAMPLES][256];
    for (float[] row : x) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) random.nextDouble();
      }
    }
    float[][] expected = new float[SAMPLES][];
    for (int i = 0; i < SAMPLES; i++) {
      expected[i] = model.predict(x[i]); // one row at a time, as served (a batch's product may round differently)
    }
    Inference inference = model.inference();
    float[] warmOut = new float[10];
    AllocationTest.assertAllocatesNothing(() -> inference.predict(x[0], warmOut)); // compiled kernels first
    int[] mismatches = new int[1];
    // Warm-up: rounds until one creates no program (how many calls overlap depends on scheduling
    // on a small machine, so one round did not always reach the pool's working size).
    long programsAfterWarmUp = -1;
    for (int round = 0; round < 5 && programsAfterWarmUp != inference.programsCreated(); round++) {
      programsAfterWarmUp = inference.programsCreated();
      runOnVirtualThreads(inference, x, expected, 20_000, mismatches);
    }
    programsAfterWarmUp = inference.programsCreated();
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    java.lang.reflect.Method total = com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes");
    long before = (long) total.invoke(threads);
    runOnVirtualThreads(inference, x, expected, 20_000, mismatches);
    long allocated = (long) total.invoke(threads) - before;
    assertEquals(0, mismatches[0], "predictions differing from the model's own");
    assertEquals(programsAfterWarmUp, inference.programsCreated(), "programs created after warm-up");
    assertTrue(programsAfterWarmUp <= inference.poolBound(), programsAfterWarmUp + " programs");
    // Each virtual thread and its task cost some hundreds of bytes; one program per call would be 873 KB.
    long perCall = allocated / 20_000;
    assertTrue(perCall < 8 * 1024, perCall + " bytes allocated per prediction");
  }

  /**
   * Batched predictions take the packed products, whose buffers came from a ThreadLocal: each
   * virtual thread allocated its own, ~200 KB here. They are pooled now: a request on a virtual
   * thread allocates its thread, its task and its result, nothing per product.
   */
  @Test
  void aVirtualThreadPerBatchedPredictionAllocatesNoProductBuffers() throws Exception {
    assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21");
    ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(3, 256);
    int batch = 8;
    float[] x = new float[batch * 256];
    SplittableRandom random = new SplittableRandom(12);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    float[] expected = new float[batch * 10];
    Inference inference = model.inference();
    inference.predict(x, batch, expected);
    float[] warmOut = new float[batch * 10];
    AllocationTest.assertAllocatesNothing(() -> inference.predict(x, batch, warmOut), 2_000); // compiled kernels first
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    java.lang.reflect.Method total = com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes");
    AtomicInteger differing = new AtomicInteger();
    int calls = 2_000;
    long allocated = 0;
    for (int round = 0; round < 3; round++) { // the first rounds fill the pools
      long before = (long) total.invoke(threads);
      ExecutorService executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
      try {
        for (int i = 0; i < calls; i++) {
          executor.execute(() -> {
            float[] out = new float[batch * 10];
            inference.predict(x, batch, out);
            if (!java.util.Arrays.equals(out, expected)) {
              differing.incrementAndGet();
            }
          });
        }
      } finally {
        executor.shutdown();
        assertTrue(executor.awaitTermination(2, TimeUnit.MINUTES), "predictions still running after 2 minutes");
      }
      allocated = (long) total.invoke(threads) - before;
    }
    assertEquals(0, differing.get(), "batched predictions differing from the first");
    long perCall = allocated / calls;
    assertTrue(perCall < 8 * 1024, perCall + " bytes allocated per batched prediction");
  }

  private static void runOnVirtualThreads(
      Inference inference, float[][] x, float[][] expected, int calls, int[] mismatches) throws Exception {
    AtomicInteger differing = new AtomicInteger();
    ExecutorService executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    try {
      for (int i = 0; i < calls; i++) {
        int sample = i % SAMPLES;
        executor.execute(() -> {
          float[] out = new float[10];
          inference.predict(x[sample], out);
          for (int c = 0; c < out.length; c++) {
            if (Float.floatToRawIntBits(out[c]) != Float.floatToRawIntBits(expected[sample][c])) {
              differing.incrementAndGet();
            }
          }
        });
      }
    } finally {
      executor.shutdown();
      assertTrue(executor.awaitTermination(2, TimeUnit.MINUTES), "predictions still running after 2 minutes");
    }
    mismatches[0] += differing.get();
  }
}
