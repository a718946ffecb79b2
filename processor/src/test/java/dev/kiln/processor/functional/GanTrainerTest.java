package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;
import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.ActivationFunction.TANH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.BatchNorm;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Reshape;
import dev.kiln.runtime.GanTrainer;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.internal.LayerInfo;
import dev.kiln.runtime.internal.TensorSlice;
import dev.kiln.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GanTrainer} against PyTorch (fixtures/gan.safetensors, make_fixtures.py's make_gan): three
 * alternating steps from the same weights, real batches and noise give the same losses and leave
 * both networks' parameters within 1e-4 of PyTorch's. The generator step's pass through the
 * discriminator leaves the discriminator untouched, batch normalization's moving statistics
 * included.
 */
class GanTrainerTest {
  static final double PARAMETER_TOLERANCE = 1e-4;

  @Network(input = 4, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 1e-2, beta1 = 0.5, beta2 = 0.999, epsilon = 1e-7)
  interface Generator {
    @Dense(units = 8, activation = RELU)
    Layer hidden();

    @Dense(units = 6, activation = TANH)
    Layer output();
  }

  @Network(input = 6, loss = Loss.BINARY_CROSSENTROPY)
  @Adam(learningRate = 1e-2, beta1 = 0.5, beta2 = 0.999, epsilon = 1e-7)
  interface Discriminator {
    @Dense(units = 5, activation = LEAKY_RELU, alpha = 0.2)
    Layer hidden();

    @Dense(units = 1, activation = SIGMOID)
    Layer output();
  }

  /** The generator above with its output reshaped to [2, 3]: the same numbers. */
  @Network(input = 4, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 1e-2, beta1 = 0.5, beta2 = 0.999, epsilon = 1e-7)
  interface ReshapedGenerator {
    @Dense(units = 8, activation = RELU)
    Layer hidden();

    @Dense(units = 6, activation = TANH)
    Layer output();

    @Reshape({2, 3})
    Layer image();
  }

  @Network(input = 6, loss = Loss.BINARY_CROSSENTROPY)
  @Adam(learningRate = 1e-2, beta1 = 0.5)
  interface NormalizedDiscriminator {
    @Dense(units = 5, activation = LEAKY_RELU, useBias = false)
    Layer hidden();

    @BatchNorm
    Layer norm();

    @Dense(units = 1, activation = SIGMOID)
    Layer output();
  }

  @TempDir Path dir;

  @Test
  void threeStepsMatchPyTorch() throws Exception {
    checkAgainstPyTorch(new GanTrainerTest_GeneratorModel(1));
  }

  @Test
  void aReshapedGeneratorTrainsTheSame() throws Exception {
    checkAgainstPyTorch(new GanTrainerTest_ReshapedGeneratorModel(1));
  }

  private void checkAgainstPyTorch(Model generator) throws Exception {
    Fixture fixture = Fixture.load("gan");
    Model discriminator = new GanTrainerTest_DiscriminatorModel(1);
    load(fixture, generator, "g.");
    load(fixture, discriminator, "d.");
    GanTrainer gan = new GanTrainer(generator, discriminator);
    int steps = Integer.parseInt(fixture.file.metadata().get("steps"));
    int batch = fixture.batch();
    float[] lossReal = fixture.file.floats("loss.real");
    float[] lossFake = fixture.file.floats("loss.fake");
    float[] lossGenerator = fixture.file.floats("loss.generator");
    for (int k = 0; k < steps; k++) {
      GanTrainer.StepLosses losses = gan.step(fixture.file.floats("real." + k), fixture.file.floats("noise." + k), batch);
      assertEquals(lossReal[k], losses.discriminatorReal(), 1e-5, "step " + k + " discriminator loss on real");
      assertEquals(lossFake[k], losses.discriminatorFake(), 1e-5, "step " + k + " discriminator loss on fakes");
      assertEquals(lossGenerator[k], losses.generator(), 1e-5, "step " + k + " generator loss");
      assertParameters(fixture, generator, "after." + k + ".g.", "step " + k + " generator");
      assertParameters(fixture, discriminator, "after." + k + ".d.", "step " + k + " discriminator");
    }
    // The steps moved both networks well beyond the tolerance, so the comparison means something.
    assertMoved(fixture, generator, "g.", "after." + (steps - 1) + ".g.");
    assertMoved(fixture, discriminator, "d.", "after." + (steps - 1) + ".d.");
  }

  @Test
  void theGeneratorStepLeavesTheDiscriminatorAlone() {
    Model generator = new GanTrainerTest_GeneratorModel(3);
    Model discriminator = new GanTrainerTest_NormalizedDiscriminatorModel(4);
    float[] real = new float[8 * 6];
    float[] noise = new float[8 * 4];
    for (int i = 0; i < real.length; i++) {
      real[i] = (float) Math.sin(i);
    }
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) Math.cos(3 * i);
    }
    // backwardToInput normalizes with batch statistics and keeps the moving ones (and every weight).
    float[][] rows = new float[8][6];
    for (int r = 0; r < 8; r++) {
      System.arraycopy(real, r * 6, rows[r], 0, 6);
    }
    float[][] labels = new float[8][1];
    float[] before = discriminator.core().parameters();
    discriminator.core().backwardToInput(rows, labels, new float[8][6]);
    assertArrayEquals(before, discriminator.core().parameters(), "parameters after backwardToInput");
    // ... where a training-mode pass with gradients moves the moving statistics.
    discriminator.core().computeGradients(rows, labels);
    assertFalse(java.util.Arrays.equals(before, discriminator.core().parameters()),
        "computeGradients moves batch norm's moving statistics");

    // A GAN step: the discriminator ends exactly as its two trainOnBatch steps leave it.
    Model twin = new GanTrainerTest_NormalizedDiscriminatorModel(4);
    Model twinGenerator = new GanTrainerTest_GeneratorModel(3);
    discriminator.core().setParameters(twin.core().parameters());
    GanTrainer gan = new GanTrainer(generator, discriminator);
    gan.step(real, noise, 8);
    float[][] fakes = twinGenerator.core().predict(rowsOf(noise, 8, 4)); // no dropout or norm: as in training
    float[][] ones = {{1}, {1}, {1}, {1}, {1}, {1}, {1}, {1}};
    twin.core().trainOnBatch(rows, ones);
    twin.core().trainOnBatch(fakes, labels);
    assertArrayEquals(twin.core().parameters(), discriminator.core().parameters(),
        "discriminator after a GAN step vs two trainOnBatch steps");
  }

  /**
   * A whole alternating step (the fakes, two discriminator steps, the generator step through it)
   * allocates nothing after warm-up. Here rather than in AllocationTest: run there before its
   * trainOnBatch test, it made that test see 1,440 bytes per Iris step in the same JVM (the GAN
   * step itself measured 0; a JIT effect of the shared call sites, not yet understood).
   */
  @Test
  void aStepAllocatesNothing() {
    GanTrainer gan = new GanTrainer(new GanTrainerTest_ReshapedGeneratorModel(1, 16),
        new GanTrainerTest_NormalizedDiscriminatorModel(2, 16));
    float[] real = new float[16 * 6];
    float[] noise = new float[16 * 4];
    for (int i = 0; i < real.length; i++) {
      real[i] = (float) Math.sin(i);
    }
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) Math.cos(i);
    }
    AllocationTest.assertAllocatesNothing(() -> gan.step(real, noise, 16));
  }

  @Test
  void stepReturnsOneReusedResult() {
    GanTrainer gan = new GanTrainer(new GanTrainerTest_GeneratorModel(1), new GanTrainerTest_DiscriminatorModel(2));
    float[] real = new float[4 * 6];
    float[] noise = new float[4 * 4];
    GanTrainer.StepLosses first = gan.step(real, noise, 4);
    double generatorLoss = first.generator();
    assertTrue(generatorLoss > 0 && Double.isFinite(generatorLoss));
    assertSame(first, gan.step(real, noise, 4));
    assertEquals((first.discriminatorReal() + first.discriminatorFake()) / 2, first.discriminator(), 1e-15);
  }

  @Test
  void argumentsAreChecked() {
    Model generator = new GanTrainerTest_GeneratorModel(1);
    Model discriminator = new GanTrainerTest_DiscriminatorModel(2);
    GanTrainer gan = new GanTrainer(generator, discriminator);
    assertEquals(4, gan.noiseSize());
    assertEquals(6, gan.sampleSize());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> gan.step(new float[6 * 3], new float[4 * 4], 4));
    assertEquals("real has 18 values, fewer than 4 samples x 6", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> gan.step(new float[24], new float[15], 4));
    assertEquals("noise has 15 values, fewer than 4 samples x 4", e.getMessage());
    generator.setInputChecks(true);
    discriminator.setInputChecks(true);
    float[] infinite = new float[24];
    infinite[19] = Float.POSITIVE_INFINITY;
    e = assertThrows(IllegalArgumentException.class, () -> gan.step(infinite, new float[16], 4));
    assertEquals("real has Infinity at position 19", e.getMessage());
    float[] nanNoise = new float[16];
    nanNoise[9] = Float.NaN;
    e = assertThrows(IllegalArgumentException.class, () -> gan.step(new float[24], nanNoise, 4));
    assertEquals("noise has NaN at position 9", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> gan.step(new float[24], new float[16], 0));
    assertEquals("a GAN step takes 1 to 256 samples (the models' maximum batches), got 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new GanTrainer(discriminator, generator));
    assertEquals("the discriminator Generator must be declared with Loss.BINARY_CROSSENTROPY (labels 1 for real, "
        + "0 for generated), not mean_squared_error", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new GanTrainer(new GanTrainerTest_DiscriminatorModel(1), discriminator));
    assertEquals("the generator Discriminator outputs 1 values per sample, the discriminator Discriminator takes 6",
        e.getMessage());
  }

  private static float[][] rowsOf(float[] flat, int rows, int cols) {
    float[][] out = new float[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, out[r], 0, cols);
    }
    return out;
  }

  /** Loads the fixture's {@code prefix}-named tensors as the model's weights (PyTorch's names after it). */
  private void load(Fixture fixture, Model model, String prefix) throws IOException {
    List<SafeTensors.Tensor> tensors = new ArrayList<>();
    for (LayerInfo layer : model.core().info().layers()) {
      for (TensorSlice slice : layer.tensors()) {
        String name = prefix + slice.name();
        tensors.add(SafeTensors.Tensor.of(slice.name(), fixture.file.floats(name), fixture.file.info(name).shape()));
      }
    }
    Path weights = dir.resolve(prefix + "safetensors");
    SafeTensors.write(weights, tensors, Map.of());
    model.load(weights);
  }

  private static void assertParameters(Fixture fixture, Model model, String prefix, String what) throws IOException {
    float[] flat = model.core().parameters();
    for (LayerInfo layer : model.core().info().layers()) {
      for (TensorSlice slice : layer.tensors()) {
        float[] expected = fixture.file.floats(prefix + slice.name());
        float[] actual = slice.read(flat);
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], actual[i], PARAMETER_TOLERANCE, what + " " + slice.name() + "[" + i + "]");
        }
      }
    }
  }

  /** Some value of the model's tensors moved by more than 100 times the tolerance over the steps. */
  private static void assertMoved(Fixture fixture, Model model, String initial, String last) throws IOException {
    double largest = 0;
    for (LayerInfo layer : model.core().info().layers()) {
      for (TensorSlice slice : layer.tensors()) {
        float[] a = fixture.file.floats(initial + slice.name());
        float[] b = fixture.file.floats(last + slice.name());
        for (int i = 0; i < a.length; i++) {
          largest = Math.max(largest, Math.abs(a[i] - b[i]));
        }
      }
    }
    assertTrue(largest > 100 * PARAMETER_TOLERANCE, "largest change " + largest);
  }
}
