package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.Model;
import dev.kiln.runtime.ModelCore;
import java.nio.file.Path;
import java.util.function.LongFunction;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite differences against the generated backward pass, for every trainable parameter of
 * the fixture networks (which together use every activation, loss and layer kind, batch and layer
 * normalization included), from both the PyTorch fixture weights and the model's own seeded
 * initialization.
 *
 * <p>The network computes in float32, so the differences are taken in double over the
 * double-accumulated loss with a step of 1e-3: float rounding of the loss (~1e-7 relative) then
 * contributes ~1e-4 absolute, which the absolute floor below admits; any wiring error in the
 * backward pass shows up as an O(1) relative error.
 */
class GradientCheckTest {
  private static final double STEP = 1e-3;
  private static final double MAX_RELATIVE_ERROR = 1e-2;
  private static final double ABSOLUTE_FLOOR = 3e-4;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} at PyTorch's weights")
  @MethodSource("dev.kiln.processor.functional.PyTorchReferenceTest#networks")
  void backwardMatchesFiniteDifferencesAtFixtureWeights(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    check(name, model, fixture.matrix("input.x"), fixture.matrix("input.y"));
  }

  @ParameterizedTest(name = "{0} at seeded initial weights")
  @MethodSource("dev.kiln.processor.functional.PyTorchReferenceTest#networks")
  void backwardMatchesFiniteDifferencesAtInitialWeights(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    check(name, factory.apply(7), fixture.matrix("input.x"), fixture.matrix("input.y"));
  }

  /** Every loss evaluation restarts the noise stream here, so dropout masks stay fixed. */
  private static final long NOISE_SEED = 77;

  private static void check(String name, Model model, float[][] x, float[][] y) {
    ModelCore core = model.core();
    core.setNoiseSeed(NOISE_SEED);
    core.computeGradients(x, y);
    float[] analytic = core.gradients();
    float[] params = core.parameters();
    for (int i = 0; i < core.info().trainableParameterCount(); i++) {
      float original = params[i];
      params[i] = (float) (original + STEP);
      double up = lossAt(core, params, x, y);
      params[i] = (float) (original - STEP);
      double down = lossAt(core, params, x, y);
      params[i] = original;
      double numeric = (up - down) / (2 * STEP);
      double error = Math.abs(numeric - analytic[i]);
      double allowed = MAX_RELATIVE_ERROR * Math.max(Math.abs(numeric), Math.abs(analytic[i])) + ABSOLUTE_FLOOR;
      assertTrue(error <= allowed, String.format(
          "%s parameter %d: backward %.6g, finite difference %.6g", name, i, analytic[i], numeric));
    }
    core.setParameters(params);
  }

  /** The training-mode loss: batch statistics and the same dropout masks as the backward pass. */
  private static double lossAt(ModelCore core, float[] params, float[][] x, float[][] y) {
    core.setParameters(params);
    core.setNoiseSeed(NOISE_SEED);
    return core.loss(x, y, true);
  }
}
