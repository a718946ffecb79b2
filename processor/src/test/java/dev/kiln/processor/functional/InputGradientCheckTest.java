package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.GELU;
import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.SWISH;
import static dev.kiln.annotations.ActivationFunction.TANH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.annotations.Activation;
import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Add;
import dev.kiln.annotations.BatchNorm;
import dev.kiln.annotations.Concatenate;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Dropout;
import dev.kiln.annotations.GaussianNoise;
import dev.kiln.annotations.Input;
import dev.kiln.annotations.LayerNorm;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.processor.functional.GraphPyTorchReferenceTest.Batch;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.ModelCore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite differences of the training-mode loss with respect to every input value, against
 * {@code ModelCore.backwardToInput}, as GradientCheckTest does for the parameters (step 1e-3 over the
 * double-accumulated loss; 1e-2 relative plus 3e-4 absolute). Networks: every sequential and graph
 * fixture network at PyTorch's weights (Dense with every activation, Activation, Dropout, BatchNorm,
 * LayerNorm, Add, Concatenate, two inputs, a rank-2 input), and the small networks below at their
 * seeded initial weights on seeded data (Gaussian noise and dropout, batch and layer normalization
 * inside a graph, a two-input graph with noise).
 *
 * <p>Dropout masks and Gaussian noise do not depend on the input values: the noise stream restarts
 * at the same seed before every evaluation and before backwardToInput, so every evaluation sees the
 * same masks and the same noise.
 */
class InputGradientCheckTest {
  private static final double STEP = 1e-3;
  private static final double MAX_RELATIVE_ERROR = 1e-2;
  private static final double ABSOLUTE_FLOOR = 3e-4;
  private static final long NOISE_SEED = 77;
  private static final int BATCH = 6;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} at PyTorch's weights")
  @MethodSource("dev.kiln.processor.functional.PyTorchReferenceTest#networks")
  void sequentialFixtureNetworks(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    check(name, model, Batch.of(fixture, List.of()), fixture.matrix("input.y"));
  }

  @ParameterizedTest(name = "{0} at PyTorch's weights")
  @MethodSource("dev.kiln.processor.functional.GraphPyTorchReferenceTest#networks")
  void graphFixtureNetworks(String name, LongFunction<Model> factory, List<String> inputNames) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    check(name, model, Batch.of(fixture, inputNames), fixture.matrix("input.y"));
  }

  @ParameterizedTest(name = "{0} at seeded initial weights")
  @MethodSource("dev.kiln.processor.functional.GraphPyTorchReferenceTest#networks")
  void graphFixtureNetworksAtInitialWeights(String name, LongFunction<Model> factory, List<String> inputNames)
      throws Exception {
    Fixture fixture = Fixture.load(name);
    check(name, factory.apply(7), Batch.of(fixture, inputNames), fixture.matrix("input.y"));
  }

  /** What the targets of a small network are. */
  enum Target {
    ONE_HOT, BINARY, REAL
  }

  static Stream<Arguments> layerNetworks() {
    return Stream.of(
        layers("dense relu/tanh/gelu activation/softmax", seed -> new InputGradientCheckTest_GcDenseModel(seed, 8),
            Target.ONE_HOT, 4),
        layers("gaussian noise, dropout, batch norm", seed -> new InputGradientCheckTest_GcNoiseModel(seed, 8),
            Target.BINARY, 5),
        layers("graph with batch norm, layer norm, dropout, add, concatenate",
            seed -> new InputGradientCheckTest_GcGraphModel(seed, 8), Target.REAL, 4),
        layers("two inputs with add, noise, layer norm, concatenate, dropout",
            seed -> new InputGradientCheckTest_GcTwoInputsModel(seed, 8), Target.ONE_HOT, 3, 4));
  }

  private static Arguments layers(String name, LongFunction<Model> factory, Target target, int... inputSizes) {
    return Arguments.of(name, factory, target, inputSizes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layerNetworks")
  void layerKinds(String name, LongFunction<Model> factory, Target target, int[] inputSizes) {
    Model model = factory.apply(11);
    Random random = new Random(2026);
    List<float[][]> inputs = new ArrayList<>();
    for (int size : inputSizes) {
      float[][] x = new float[BATCH][size];
      for (float[] row : x) {
        for (int j = 0; j < size; j++) {
          row[j] = (float) random.nextGaussian();
        }
      }
      inputs.add(x);
    }
    int width = model.core().info().outputSize();
    float[][] y = new float[BATCH][width];
    for (float[] row : y) {
      switch (target) {
        case ONE_HOT -> row[random.nextInt(width)] = 1f;
        case BINARY -> {
          for (int j = 0; j < width; j++) {
            row[j] = random.nextBoolean() ? 1f : 0f;
          }
        }
        case REAL -> {
          for (int j = 0; j < width; j++) {
            row[j] = (float) random.nextGaussian();
          }
        }
      }
    }
    check(name, model, new Batch(inputs, inputSizes.length > 1), y);
  }

  static void check(String name, Model model, Batch batch, float[][] y) {
    ModelCore core = model.core();
    List<float[][]> analytic = batch.newGradients();
    core.setNoiseSeed(NOISE_SEED);
    double loss = batch.backwardToInput(model, y, analytic);
    assertEquals(lossAt(model, batch, y), loss, 1e-6 * Math.max(1, Math.abs(loss)),
        name + ": backwardToInput returns the training-mode loss");
    double largest = 0;
    for (int k = 0; k < batch.inputs().size(); k++) {
      float[][] x = batch.inputs().get(k);
      float[][] g = analytic.get(k);
      for (int r = 0; r < x.length; r++) {
        for (int c = 0; c < x[r].length; c++) {
          float original = x[r][c];
          float up = (float) (original + STEP);
          float down = (float) (original - STEP);
          x[r][c] = up;
          double lossUp = lossAt(model, batch, y);
          x[r][c] = down;
          double lossDown = lossAt(model, batch, y);
          x[r][c] = original;
          double numeric = (lossUp - lossDown) / ((double) up - (double) down);
          double error = Math.abs(numeric - g[r][c]);
          double allowed = MAX_RELATIVE_ERROR * Math.max(Math.abs(numeric), Math.abs(g[r][c])) + ABSOLUTE_FLOOR;
          assertTrue(error <= allowed, String.format(
              "%s input %d [%d][%d]: backwardToInput %.6g, finite difference %.6g", name, k, r, c, g[r][c], numeric));
          largest = Math.max(largest, Math.abs(numeric));
        }
      }
    }
    // The comparison means something only if the loss depends on the inputs at the tolerance's scale.
    assertTrue(largest > 10 * ABSOLUTE_FLOOR, name + ": largest input gradient only " + largest);
  }

  /** The training-mode loss with the same noise as backwardToInput. */
  private static double lossAt(Model model, Batch batch, float[][] y) {
    model.core().setNoiseSeed(NOISE_SEED);
    return batch.trainingLoss(model, y);
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam
  interface GcDense {
    @Dense(units = 6, activation = RELU)
    Layer a();

    @Dense(units = 5, activation = TANH)
    Layer b();

    @Dense(units = 5)
    Layer c();

    @Activation(GELU)
    Layer c_act();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = 5, loss = Loss.BINARY_CROSSENTROPY)
  @Sgd
  interface GcNoise {
    @Dense(units = 6, activation = TANH)
    Layer h();

    @GaussianNoise(stddev = 0.3)
    Layer noise();

    @Dropout(0.25)
    Layer drop();

    @Dense(units = 4, activation = SWISH)
    Layer g();

    @BatchNorm(momentum = 0.9)
    Layer bn();

    @Dense(units = 2, activation = SIGMOID)
    Layer output();
  }

  @Network(input = 4, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd
  interface GcGraph {
    @Dense(units = 4, activation = TANH)
    Layer a();

    @BatchNorm
    Layer bn(Layer a);

    @Add
    Layer skip(Layer input, Layer bn);

    @LayerNorm
    Layer ln(Layer skip);

    @Dropout(0.2)
    Layer drop(Layer ln);

    @Concatenate
    Layer joined(Layer drop, Layer a, Layer input);

    @Dense(units = 2)
    Layer output();
  }

  @Network(loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam
  interface GcTwoInputs {
    @Input(3)
    Layer left();

    @Input(4)
    Layer right();

    @Dense(units = 3, activation = TANH)
    Layer r(Layer right);

    @Add
    Layer s(Layer left, Layer r);

    @GaussianNoise(stddev = 0.2)
    Layer noise(Layer s);

    @LayerNorm
    Layer ln();

    @Concatenate
    Layer j(Layer ln, Layer right);

    @Dropout(0.3)
    Layer drop();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }
}
