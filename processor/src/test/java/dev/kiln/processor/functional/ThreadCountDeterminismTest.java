package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Conv2D;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Flatten;
import dev.kiln.annotations.RandomFlip;
import dev.kiln.annotations.RandomTranslation;
import dev.kiln.annotations.RandomZoom;
import dev.kiln.annotations.SpatialDropout2D;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.kernels.Parallelism;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Training and prediction give bit-identical results with 1, 2 and 3 threads, also with
 * augmentation and spatial dropout (their draws depend on the seed and the sample's position in the
 * training stream, never on threads).
 */
class ThreadCountDeterminismTest {
  @Network(input = 256, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 1e-3)
  interface WideMlp {
    @Dense(units = 192, activation = RELU)
    Layer hidden1();

    @Dense(units = 96, activation = RELU)
    Layer hidden2();

    @Dense(units = 10, activation = SOFTMAX)
    Layer output();
  }

  private final int threadsBefore = Parallelism.threads();

  @AfterEach
  void restore() {
    Parallelism.setThreads(threadsBefore);
  }

  /**
   * Rows predicted over threads are gathered a chunk at a time (1,562 rows of 256 values here), each
   * chunk split into parts: three chunks, the last one short, give one thread's bits.
   */
  @Test
  void predictionsOfManyRowsAreBitIdenticalForAnyThreadCount() {
    SplittableRandom random = new SplittableRandom(6);
    float[][] x = new float[3_500][256];
    for (float[] row : x) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(4, 100);
    float[][] reference = null;
    for (int threads = 1; threads <= 3; threads++) {
      Parallelism.setThreads(threads);
      float[][] predictions = model.predict(x);
      if (reference == null) {
        reference = predictions;
      } else {
        for (int i = 0; i < x.length; i++) {
          assertArrayEquals(reference[i], predictions[i], "row " + i + " with " + threads + " threads");
        }
      }
    }
  }

  /**
   * An evaluation of many batches splits over threads by whole batches, each batch's loss and count
   * summed in batch order: the same loss, accuracy and metrics as one thread, and the same error
   * for the first bad batch.
   */
  @Test
  void evaluationsAreBitIdenticalForAnyThreadCount() {
    SplittableRandom random = new SplittableRandom(7);
    float[][] x = new float[3_050][256];
    float[][] y = new float[x.length][10];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 256; j++) {
        x[i][j] = (float) random.nextGaussian();
      }
      y[i][random.nextInt(10)] = 1;
    }
    ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(4, 100);
    dev.kiln.runtime.Metrics metrics = dev.kiln.runtime.Metrics.of(dev.kiln.runtime.Metric.ACCURACY,
        dev.kiln.runtime.Metric.F1, dev.kiln.runtime.Metric.TOP_K(3));
    float[][] bad = y.clone();
    bad[2_950] = new float[10];
    bad[2_950][0] = Float.NaN;
    bad[1_234] = new float[10];
    bad[1_234][3] = Float.POSITIVE_INFINITY;
    dev.kiln.runtime.Evaluation reference = null;
    String referenceError = null;
    for (int threads = 1; threads <= 3; threads++) {
      Parallelism.setThreads(threads);
      dev.kiln.runtime.Evaluation evaluation = model.core().evaluate(x, y, metrics);
      String error = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> model.core().evaluate(x, bad)).getMessage();
      if (reference == null) {
        reference = evaluation;
        referenceError = error;
        org.junit.jupiter.api.Assertions.assertTrue(error.contains("1234"), error);
      } else {
        assertEquals(Double.doubleToRawLongBits(reference.loss()), Double.doubleToRawLongBits(evaluation.loss()),
            threads + " threads: loss " + evaluation.loss() + " against " + reference.loss());
        assertEquals(reference.accuracy(), evaluation.accuracy(), 0.0, threads + " threads");
        assertEquals(reference.metrics(), evaluation.metrics(), threads + " threads");
        assertEquals(referenceError, error, threads + " threads");
      }
    }
  }

  @Test
  void trainingIsBitIdenticalForAnyThreadCount() {
    SplittableRandom random = new SplittableRandom(5);
    float[][] x = new float[512][256];
    float[][] y = new float[512][10];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 256; j++) {
        x[i][j] = (float) random.nextDouble();
      }
      y[i][random.nextInt(10)] = 1;
    }
    float[] reference = null;
    float[][] referencePredictions = null;
    for (int threads = 1; threads <= 3; threads++) {
      Parallelism.setThreads(threads);
      ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(3, 128);
      model.fit(x, y, FitOptions.epochs(2).withBatchSize(64).withShuffle(9).withVerbose(false));
      float[] params = model.core().parameters();
      float[][] predictions = model.predict(x);
      if (reference == null) {
        reference = params;
        referencePredictions = predictions;
      } else {
        assertArrayEquals(reference, params, "parameters after training with " + threads + " threads");
        for (int i = 0; i < x.length; i++) {
          assertArrayEquals(referencePredictions[i], predictions[i], "prediction " + i + " with " + threads + " threads");
        }
      }
    }
    assertEquals(256 * 192 + 192 + 192 * 96 + 96 + 96 * 10 + 10, reference.length);
  }

  @Network(input = {16, 16, 1}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 1e-3)
  interface AugmentedCnn {
    @RandomFlip
    Layer flip();

    @RandomTranslation(heightFactor = 0.1, widthFactor = 0.1)
    Layer shift();

    @RandomZoom(heightFactor = 0.1)
    Layer zoom();

    @Conv2D(filters = 8, kernelSize = 3, activation = RELU)
    Layer conv();

    @SpatialDropout2D(0.2)
    Layer drop();

    @Flatten
    Layer flat();

    @Dense(units = 256, activation = RELU) // [64 x 1568] x [1568 x 256]: a product split across threads
    Layer hidden();

    @Dense(units = 10, activation = SOFTMAX)
    Layer output();
  }

  @Test
  void augmentedTrainingIsBitIdenticalForAnyThreadCount() {
    SplittableRandom random = new SplittableRandom(6);
    float[][] x = new float[256][256];
    float[][] y = new float[256][10];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 256; j++) {
        x[i][j] = (float) random.nextDouble();
      }
      y[i][random.nextInt(10)] = 1;
    }
    float[] reference = null;
    for (int threads = 1; threads <= 2; threads++) {
      Parallelism.setThreads(threads);
      ThreadCountDeterminismTest_AugmentedCnnModel model = new ThreadCountDeterminismTest_AugmentedCnnModel(4, 64);
      model.fit(x, y, FitOptions.epochs(1).withBatchSize(64).withShuffle(2).withVerbose(false));
      float[] params = model.core().parameters();
      if (reference == null) {
        reference = params;
      } else {
        assertArrayEquals(reference, params, "parameters after augmented training with " + threads + " threads");
      }
    }
  }
}
