package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    for (int i = 0; i < 30_000; i++) {
      inference.predict(x, out);
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    for (int i = 0; i < 10_000; i++) {
      inference.predict(x, out);
    }
    long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    assertTrue(allocated < 1024, allocated + " bytes");
  }
}
