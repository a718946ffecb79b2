package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.Inference;
import dev.kiln.runtime.internal.TensorSlice;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A sample alone skips the weight rows of its zero inputs (Gemm.rowTimesMatrixSkippingZeros), which
 * adds nothing as long as those weights are finite: 0 x NaN and 0 x infinity are NaN in the full
 * product. So a model whose weights are not all finite must predict a sample alone exactly as in a
 * batch, NaN included, and skip again once its weights are finite: after setParameters, a layer's
 * new kernel, and in an Inference snapshot.
 */
class ZeroInputRowsTest {
  private static final int ZERO_INPUT = 7;

  @Test
  void aNonFiniteWeightAtAZeroInputReachesTheSampleAloneAsInABatch() {
    DeepNetworkModel model = new DeepNetworkModel(3, 4);
    TensorSlice weight = model.core().info().layers().get(0).tensors().get(0);
    assertEquals("dense0.weight", weight.name());
    int units = 16; // dense0: 100 inputs -> 16, stored [inputs x units]
    float[] x = input(1);
    float[] other = input(2);
    assertAloneAsInBatch(model.predict(new float[][] {x, other})[0], model.predict(x), false, "finite weights");

    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      float[] params = model.core().parameters();
      params[weight.offset() + ZERO_INPUT * units + 2] = bad;
      model.core().setParameters(params, true);
      float[] inBatch = model.predict(new float[][] {x, other})[0];
      assertAloneAsInBatch(inBatch, model.predict(x), true, "a weight of " + bad + " at the zero input");
      Inference snapshot = model.core().inference();
      assertAloneAsInBatch(inBatch, snapshot.predict(x), true, "the snapshot, a weight of " + bad);

      params[weight.offset() + ZERO_INPUT * units + 2] = 0.25f;
      model.core().setParameters(params);
      assertAloneAsInBatch(model.predict(new float[][] {x, other})[0], model.predict(x), false,
          "finite again after " + bad);
    }

    float[] params = model.core().parameters();
    params[weight.offset() + ZERO_INPUT * units + 2] = Float.NaN;
    model.core().setParameters(params, true);
    assertTrue(Float.isNaN(model.predict(x)[0]), "the NaN weight reaches the output");
    float[][] kernel = model.core().layer("dense0").kernel();
    kernel[ZERO_INPUT][2] = 0.5f;
    model.core().layer("dense0").setKernel(kernel);
    assertAloneAsInBatch(model.predict(new float[][] {x, other})[0], model.predict(x), false,
        "finite again after a new kernel");
  }

  /** Inputs in [0.5, 1.5] with input ZERO_INPUT zero, and every fifth one -0 or 0. */
  private static float[] input(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[100];
    for (int i = 0; i < x.length; i++) {
      x[i] = i % 5 == 0 ? (random.nextBoolean() ? 0f : -0f) : (float) (0.5 + random.nextDouble());
    }
    x[ZERO_INPUT] = 0f;
    return x;
  }

  private static void assertAloneAsInBatch(float[] inBatch, float[] alone, boolean nan, String what) {
    assertEquals(inBatch.length, alone.length, what);
    for (int j = 0; j < alone.length; j++) {
      assertEquals(Float.floatToRawIntBits(inBatch[j]), Float.floatToRawIntBits(alone[j]),
          what + ", output " + j + ": " + inBatch[j] + " in the batch, " + alone[j] + " alone");
      assertEquals(nan, Float.isNaN(alone[j]), what + ", output " + j + " is " + alone[j]);
    }
    assertFalse(alone.length == 0, what);
  }
}
