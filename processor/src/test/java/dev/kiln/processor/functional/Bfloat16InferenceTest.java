package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Inference;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.RecurrentState;
import dev.kiln.runtime.WeightFormat;
import dev.kiln.runtime.kernels.BFloat16;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A bfloat16 snapshot predicts exactly what a float32 snapshot of the same model predicts once
 * its Dense kernels are rounded to bfloat16 (through the public layer API, not the flat layout),
 * batch-1 through the bfloat16 kernel and batched through the float32 one alike, also one step at
 * a time; and a batch-1 prediction allocates nothing.
 */
class Bfloat16InferenceTest {
  private static float[][] inputs(int rows, int width) {
    SplittableRandom random = new SplittableRandom(12);
    float[][] x = new float[rows][width];
    for (float[] row : x) {
      for (int i = 0; i < width; i++) {
        row[i] = (float) random.nextDouble();
      }
    }
    return x;
  }

  private static ThreadCountDeterminismTest_WideMlpModel trainedMlp() {
    float[][] x = inputs(128, 256);
    float[][] y = new float[128][10];
    for (int i = 0; i < y.length; i++) {
      y[i][i % 10] = 1;
    }
    ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(3, 64);
    model.fit(x, y, FitOptions.epochs(2).withBatchSize(32).withVerbose(false));
    return model;
  }

  /** Each Dense kernel of {@code layers} rounded to bfloat16 in place. */
  private static void roundKernels(Layer... layers) {
    for (Layer layer : layers) {
      float[][] kernel = layer.kernel();
      for (float[] row : kernel) {
        for (int j = 0; j < row.length; j++) {
          row[j] = BFloat16.round(row[j]);
        }
      }
      layer.setKernel(kernel);
    }
  }

  @Test
  void predictsWhatFloat32PredictsOverTheRoundedKernels() {
    ThreadCountDeterminismTest_WideMlpModel model = trainedMlp();
    Inference half = model.inference(WeightFormat.BFLOAT16);
    Inference exact = model.inference();
    assertEquals(WeightFormat.BFLOAT16, half.weightFormat());
    assertEquals(WeightFormat.FLOAT32, exact.weightFormat());
    float[][] x = inputs(40, 256);
    float[] unrounded = exact.predict(x[0]);

    roundKernels(model.hidden1(), model.hidden2(), model.output());
    Inference rounded = model.inference();
    float[] batch = new float[x.length * 10];
    float[] flat = new float[x.length * 256];
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, flat, i * 256, 256);
    }
    half.predict(flat, x.length, batch);
    for (int i = 0; i < x.length; i++) {
      float[] alone = half.predict(x[i]);
      assertArrayEquals(rounded.predict(x[i]), alone, 0f, "sample " + i + " alone");
      assertArrayEquals(alone, Arrays.copyOfRange(batch, i * 10, i * 10 + 10), 0f, "sample " + i + " in a batch");
    }
    // Rounding changed the predictions, a little.
    float[] first = half.predict(x[0]);
    assertNotEquals(Arrays.toString(unrounded), Arrays.toString(first));
    for (int j = 0; j < 10; j++) {
      assertEquals(unrounded[j], first[j], 0.02, "class " + j);
    }
  }

  /**
   * White box: a batch-1 prediction reads the snapshot's bfloat16 array for the hidden layers (256
   * and 128 wide) and the float32 copy for the 10-wide output layer; a batched one reads float32.
   */
  @Test
  void batchOnePredictionsReadTheBfloat16CopyOfWideLayers() throws Exception {
    ThreadCountDeterminismTest_WideMlpModel model = trainedMlp();
    Inference half = model.inference(WeightFormat.BFLOAT16);
    float[][] x = inputs(2, 256);
    float[] flat = new float[2 * 256];
    System.arraycopy(x[0], 0, flat, 0, 256);
    System.arraycopy(x[1], 0, flat, 256, 256);
    float[] before = half.predict(x[0]);
    java.lang.reflect.Field field = Inference.class.getDeclaredField("bfloat16Weights");
    field.setAccessible(true);
    Arrays.fill((short[]) field.get(half), (short) 0); // every bfloat16 kernel now zero, for batch 1 only
    float[] batch = new float[2 * 10];
    half.predict(flat, 2, batch);
    assertArrayEquals(before, Arrays.copyOfRange(batch, 0, 10), 0f, "batched: the float32 copy");
    // Zero hidden kernels leave hidden2 relu(its biases) for any input; the output layer's kernel,
    // read from the float32 copy, still counts: softmax(relu(b2) W3 + b3), W3 rounded to bfloat16.
    float[] hidden = model.hidden2().bias();
    float[][] kernel = model.output().kernel(); // [128 inputs][10 units]
    float[] bias = model.output().bias();
    double[] logits = new double[10];
    double sum = 0;
    for (int j = 0; j < 10; j++) {
      logits[j] = bias[j];
      for (int i = 0; i < hidden.length; i++) {
        logits[j] += Math.max(0, hidden[i]) * (double) BFloat16.round(kernel[i][j]);
      }
      sum += Math.exp(logits[j]);
    }
    for (float[] sample : x) {
      float[] alone = half.predict(sample);
      for (int j = 0; j < 10; j++) {
        assertEquals(Math.exp(logits[j]) / sum, alone[j], 1e-6, "class " + j);
      }
    }
    assertNotEquals(Arrays.toString(before), Arrays.toString(half.predict(x[0])));
  }

  @Test
  void stepsLikeFloat32OverTheRoundedKernel() {
    StepNetworks_CharLstmModel model = new StepNetworks_CharLstmModel(5);
    Inference half = model.inference(WeightFormat.BFLOAT16);
    roundKernels(model.next()); // the only Dense layer; the LSTM's weights stay float32
    Inference rounded = model.inference();
    RecurrentState a = half.newState(1);
    RecurrentState b = rounded.newState(1);
    float[] outA = new float[13];
    float[] outB = new float[13];
    for (int t = 0; t < 7; t++) {
      half.step(a, new float[] {t + 3}, outA);
      rounded.step(b, new float[] {t + 3}, outB);
      assertArrayEquals(outB, outA, 0f, "step " + t);
    }
  }

  @Test
  void aBatchOnePredictionAllocatesNothing() {
    Inference half = new ThreadCountDeterminismTest_WideMlpModel(3, 64).inference(WeightFormat.BFLOAT16);
    float[] x = inputs(1, 256)[0];
    float[] out = new float[10];
    AllocationTest.assertAllocatesNothing(() -> half.predict(x, out)); // rounds until the kernels are compiled
  }
}
