package dev.kiln.runtime.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.internal.Accuracy;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.internal.LayerInfo;
import dev.kiln.runtime.internal.NetworkInfo;
import dev.kiln.runtime.Shape;
import dev.kiln.runtime.internal.TensorSlice;
import java.util.List;
import dev.kiln.runtime.ModelCore;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Clipping on arrays against references computed here in double, and inside fit on the linear
 * model, where the step taken shows the clipped gradient.
 */
class GradientClippingTest {
  private static final int[] OFFSETS = {0, 3};
  private static final int[] SIZES = {3, 2};

  @Test
  void byValueBoundsEveryComponentAndLeavesTheRestAlone() {
    float[] g = random(1001, 3f, 1);
    float[] original = g.clone();
    GradientClipping.byValue(0.5f).clip(g, new int[] {0}, new int[] {g.length});
    for (int i = 0; i < g.length; i++) {
      double expected = Math.max(-0.5, Math.min(0.5, original[i]));
      assertEquals((float) expected, g[i], "component " + i);
      assertTrue(Math.abs(g[i]) <= 0.5f);
    }
    float[] small = {0.25f, -0.5f, 0.5f, 1e-30f, -0f};
    float[] copy = small.clone();
    GradientClipping.byValue(0.5f).clip(copy, OFFSETS, SIZES);
    assertArrayEquals(small, copy);
  }

  @Test
  void byNormRescalesEachTensorOverTheLimitOnItsOwn() {
    float[] g = {3, 4, 0, 0.3f, 0.4f};
    GradientClipping.byNorm(1f).clip(g, OFFSETS, SIZES);
    // First tensor: norm 5, scaled by 1/5. Second: norm 0.5, within the limit, untouched.
    assertArrayEquals(new float[] {0.6f, 0.8f, 0, 0.3f, 0.4f}, g, 1e-7f);
    assertEquals(0.3f, g[3]);
    assertEquals(0.4f, g[4]);
  }

  @Test
  void byNormMatchesADoubleReferenceOnRandomTensors() {
    float[] g = random(100, 5f, 2);
    float[] original = g.clone();
    int[] offsets = {0, 37, 60, 61};
    int[] sizes = {37, 23, 1, 39};
    GradientClipping.byNorm(2.5f).clip(g, offsets, sizes);
    for (int t = 0; t < offsets.length; t++) {
      double norm = 0;
      for (int i = offsets[t]; i < offsets[t] + sizes[t]; i++) {
        norm += (double) original[i] * original[i];
      }
      norm = Math.sqrt(norm);
      double scale = norm > 2.5 ? 2.5 / norm : 1;
      double clippedNorm = 0;
      for (int i = offsets[t]; i < offsets[t] + sizes[t]; i++) {
        assertEquals(original[i] * scale, g[i], 1e-6 * Math.abs(original[i] * scale) + 1e-12, "tensor " + t + " component " + i);
        clippedNorm += (double) g[i] * g[i];
      }
      assertEquals(Math.min(norm, 2.5), Math.sqrt(clippedNorm), 1e-5);
    }
  }

  @Test
  void byGlobalNormRescalesTheWholeGradientTogether() {
    float[] g = {3, 4, 0, 0.3f, 0.4f};
    GradientClipping.byGlobalNorm(1f).clip(g, OFFSETS, SIZES);
    double norm = Math.sqrt(9 + 16 + 0.09 + 0.16); // 5.02494
    double[] expected = {3 / norm, 4 / norm, 0, 0.3 / norm, 0.4 / norm};
    for (int i = 0; i < g.length; i++) {
      assertEquals(expected[i], g[i], 1e-7, "component " + i);
    }
    float[] within = {0.3f, -0.4f, 0.1f, 0, 0.2f};
    float[] copy = within.clone();
    GradientClipping.byGlobalNorm(1f).clip(copy, OFFSETS, SIZES);
    assertArrayEquals(within, copy); // norm 0.5477 <= 1: bit for bit as before
  }

  @Test
  void tensorBoundsComeFromTheNetworksTrainableSlices() {
    assertArrayEquals(new int[] {0, 3}, GradientClipping.tensorOffsets(LinearNetwork.info(3)));
    assertArrayEquals(new int[] {3, 1}, GradientClipping.tensorSizes(LinearNetwork.info(3)));
    NetworkInfo withState = new NetworkInfo("Norm", Shape.of(2), 2, 2, "mean_squared_error", Accuracy.NONE, List.of(
        new LayerInfo("norm", "BatchNormalization", Shape.of(2), List.of(), List.of(
            new TensorSlice("norm.weight", 0, new int[] {2}),
            new TensorSlice("norm.bias", 2, new int[] {2}),
            new TensorSlice("norm.running_mean", 4, new int[] {2}, false)), "linear")));
    assertArrayEquals(new int[] {0, 2}, GradientClipping.tensorOffsets(withState));
    assertArrayEquals(new int[] {2, 2}, GradientClipping.tensorSizes(withState));
  }

  @Test
  void valuesOutsideTheGivenTensorsAreNotTouched() {
    for (GradientClipping clipping : new GradientClipping[] {
        GradientClipping.byValue(0.1f), GradientClipping.byNorm(0.1f), GradientClipping.byGlobalNorm(0.1f)}) {
      float[] g = {5, 5, 5, 5, 7, 7};
      clipping.clip(g, new int[] {0, 2}, new int[] {2, 2});
      assertEquals(7f, g[4], clipping.toString());
      assertEquals(7f, g[5], clipping.toString());
      assertTrue(Math.abs(g[0]) <= 0.1f, clipping.toString());
    }
    assertThrows(IllegalArgumentException.class,
        () -> GradientClipping.byValue(1f).clip(new float[2], new int[] {0}, new int[] {1, 1}));
  }

  /**
   * One SGD step at rate 0.1 from zero weights on x = (1, 2), y = 100: the raw gradient of
   * (w . x + b - y)^2 is 2 * (0 - 100) * (1, 2, 1) = (-200, -400, -200), so the step is -0.1 times
   * the clipped gradient.
   */
  @Test
  void fitStepsWithTheClippedGradient() {
    float[][] x = {{1, 2}};
    float[][] y = {{100}};
    double[] byValue = {1, 1, 1};
    double weightNorm = Math.sqrt(200 * 200 + 400 * 400);
    double[] byNorm = {200 / weightNorm, 400 / weightNorm, 1};
    double globalNorm = Math.sqrt(200 * 200 + 400 * 400 + 200 * 200);
    double[] byGlobalNorm = {200 / globalNorm, 400 / globalNorm, 200 / globalNorm};
    assertStep(GradientClipping.byValue(1f), byValue, x, y);
    assertStep(GradientClipping.byNorm(1f), byNorm, x, y);
    assertStep(GradientClipping.byGlobalNorm(1f), byGlobalNorm, x, y);
  }

  private static void assertStep(GradientClipping clipping, double[] minusGradient, float[][] x, float[][] y) {
    ModelCore model = LinearNetwork.model(2, 1, 0.1f);
    model.fit(x, y, FitOptions.epochs(1).withBatchSize(1).withVerbose(false).withGradientClipping(clipping));
    float[] params = model.parameters();
    float[] grads = model.gradients();
    for (int i = 0; i < 3; i++) {
      assertEquals(-minusGradient[i], grads[i], 1e-6, clipping + " gradient " + i);
      assertEquals(0.1 * minusGradient[i], params[i], 1e-6, clipping + " parameter " + i);
    }
  }

  @Test
  void clippingAllocatesNothing() {
    float[] g = random(4096, 10f, 3);
    int[] offsets = {0, 1000, 4000};
    int[] sizes = {1000, 3000, 96};
    GradientClipping[] all = {GradientClipping.byValue(1f), GradientClipping.byNorm(1f), GradientClipping.byGlobalNorm(1f)};
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (int round = 0; round < 2; round++) {
      long before = threads.getThreadAllocatedBytes(thread);
      for (int i = 0; i < 20_000; i++) {
        g[i % g.length] = 5f;
        all[i % 3].clip(g, offsets, sizes);
      }
      long allocated = threads.getThreadAllocatedBytes(thread) - before;
      if (round == 1) {
        assertTrue(allocated < 1024, allocated + " bytes allocated");
      }
    }
  }

  @Test
  void limitsMustBePositiveAndFinite() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradientClipping.byValue(0f));
    assertEquals("GradientClipping.byValue limit must be finite and > 0, was 0.0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GradientClipping.byNorm(-1f));
    assertEquals("GradientClipping.byNorm limit must be finite and > 0, was -1.0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GradientClipping.byGlobalNorm(Float.NaN));
    assertEquals("GradientClipping.byGlobalNorm limit must be finite and > 0, was NaN", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GradientClipping.byNorm(Float.POSITIVE_INFINITY));
    assertTrue(e.getMessage().endsWith("was Infinity"), e.getMessage());
  }

  private static float[] random(int n, float range, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      g[i] = (float) ((random.nextDouble() * 2 - 1) * range);
    }
    return g;
  }
}
