package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.BatchNorm;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Dropout;
import dev.kiln.annotations.LayerNorm;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Momentum;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.LoadOptions;
import dev.kiln.runtime.LoadReport;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.PartialLoadException;
import dev.kiln.runtime.io.KilnFormatException;
import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transfer learning: partial loads, frozen normalization, learning-rate multipliers, checkpoints. */
class TransferTest {
  @TempDir Path dir;

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface Target {
    @Dense(units = 8, activation = RELU)
    Layer hidden();

    @Dense(units = 3, activation = SOFTMAX)
    Layer head();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface OtherHead {
    @Dense(units = 8, activation = RELU)
    Layer hidden();

    @Dense(units = 5, activation = SOFTMAX)
    Layer head();
  }

  /** Writes a file as PyTorch's nn.Sequential would name it: 0.weight, 0.bias, 2.weight, 2.bias. */
  private Path sequentialFile(float[] w0, float[] b0, float[] w2, float[] b2, int headUnits) throws IOException {
    Path file = dir.resolve("sequential.safetensors");
    SafeTensors.write(file, List.of(
        SafeTensors.Tensor.of("0.weight", w0, 8, 4), SafeTensors.Tensor.of("0.bias", b0, 8),
        SafeTensors.Tensor.of("2.weight", w2, headUnits, 8), SafeTensors.Tensor.of("2.bias", b2, headUnits)),
        Map.of("format", "pt"));
    return file;
  }

  private static float[] ramp(int n, float start) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = start + i * 0.01f;
    }
    return out;
  }

  @Test
  void mappedStrictLoadReadsEveryTensorAndReportsIt() throws IOException {
    float[] w0 = ramp(32, 0.5f);
    Path file = sequentialFile(w0, ramp(8, 1), ramp(24, 2), ramp(3, 3), 3);
    TransferTest_TargetModel model = new TransferTest_TargetModel(1);
    LoadReport report = model.core().loadPartial(file, LoadOptions.defaults().mapping(Map.of("0", "hidden", "2", "head")));
    assertTrue(report.complete() && report.applied());
    assertEquals(List.of("hidden.weight", "hidden.bias", "head.weight", "head.bias"),
        report.loaded().stream().map(LoadReport.Loaded::modelTensor).toList());
    // PyTorch's [out, in]: 0.weight[unit 1][input 2] is the kernel's [input 2][unit 1].
    assertEquals(w0[1 * 4 + 2], model.hidden().kernel()[2][1]);
    assertArrayEquals(ramp(3, 3), model.head().bias());
    assertEquals("Loaded " + file + ": 4 tensors\n"
        + "  loaded       hidden.weight <- 0.weight [8, 4]\n"
        + "  loaded       hidden.bias <- 0.bias [8]\n"
        + "  loaded       head.weight <- 2.weight [3, 8]\n"
        + "  loaded       head.bias <- 2.bias [3]\n", report.toString());
  }

  @Test
  void nonStrictLoadReportsSkippedMissingAndWrongShapeAndLoadsWhatFits() throws IOException {
    Path file = sequentialFile(ramp(32, 0.5f), ramp(8, 1), ramp(24, 2), ramp(3, 3), 3);
    TransferTest_OtherHeadModel model = new TransferTest_OtherHeadModel(1);
    float[] headBefore = model.head().bias();
    float[][] headKernelBefore = model.head().kernel();
    LoadReport report = model.core().loadPartial(file,
        LoadOptions.strict(false).mapping(Map.of("0", "hidden", "2", "head")));
    assertTrue(report.applied());
    assertFalse(report.complete());
    assertArrayEquals(ramp(8, 1), model.hidden().bias(), "the base is loaded");
    assertArrayEquals(headBefore, model.head().bias(), "a wrong-shape tensor is not loaded");
    assertArrayEquals(headKernelBefore[0], model.head().kernel()[0]);
    assertEquals("Loaded " + file + ": 2 tensors\n"
        + "  loaded       hidden.weight <- 0.weight [8, 4]\n"
        + "  loaded       hidden.bias <- 0.bias [8]\n"
        + "  wrong shape  head.weight <- 2.weight: file [3, 8], model [5, 8]\n"
        + "  wrong shape  head.bias <- 2.bias: file [3], model [5]\n", report.toString());

    // Only the base wanted: the head's tensors in the file are skipped; without the mapping of the
    // head nothing is missing either.
    TransferTest_OtherHeadModel base = new TransferTest_OtherHeadModel(2);
    LoadReport onlyBase = base.core().loadPartial(file,
        LoadOptions.strict(false).mapping(Map.of("0", "hidden")).layers("hidden"));
    assertEquals(List.of("2.weight", "2.bias"), onlyBase.skipped());
    assertTrue(onlyBase.toString().contains("  skipped      2.weight (in the file, not wanted)\n"), onlyBase.toString());
    assertTrue(onlyBase.missing().isEmpty());

    // No mapping at all: every file tensor is skipped and every model tensor missing.
    LoadReport unmapped = base.core().loadPartial(file, LoadOptions.strict(false));
    assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), unmapped.skipped());
    assertEquals(List.of("hidden.weight", "hidden.bias", "head.weight", "head.bias"), unmapped.missing());
    assertTrue(unmapped.toString().contains("  missing      head.bias (wanted, not in the file)\n"), unmapped.toString());
  }

  @Test
  void failedStrictLoadChangesNothing() throws IOException {
    Path file = sequentialFile(ramp(32, 0.5f), ramp(8, 1), ramp(24, 2), ramp(3, 3), 3);
    TransferTest_OtherHeadModel model = new TransferTest_OtherHeadModel(1);
    float[] before = model.core().parameters();
    PartialLoadException e = assertThrows(PartialLoadException.class, () -> model.core().loadPartial(file,
        LoadOptions.defaults().mapping(Map.of("0", "hidden", "2", "head"))));
    assertArrayEquals(before, model.core().parameters(), "nothing changes on a failed strict load");
    assertFalse(e.report().applied());
    assertEquals(2, e.report().wrongShape().size());
    assertTrue(e.getMessage().contains("strict load into network OtherHead failed, no parameter changed"),
        e.getMessage());
    assertTrue(e.getMessage().contains("Loaded nothing (strict load failed) from " + file), e.getMessage());
    // Strict and complete for the base alone, but the file's head is then unused: still a failure.
    assertThrows(PartialLoadException.class, () -> model.core().loadPartial(file,
        LoadOptions.defaults().mapping(Map.of("0", "hidden")).layers("hidden")));
    assertArrayEquals(before, model.core().parameters());
    assertThrows(IllegalArgumentException.class,
        () -> model.core().loadPartial(file, LoadOptions.defaults().layers("nope")));
  }

  @Test
  void aModelsOwnFileLoadsPartiallyIntoAnotherHead() throws IOException {
    TransferTest_TargetModel source = new TransferTest_TargetModel(4);
    Path file = dir.resolve("base.safetensors");
    source.save(file);
    TransferTest_OtherHeadModel target = new TransferTest_OtherHeadModel(5);
    LoadReport report = target.core().loadPartial(file, LoadOptions.strict(false).layers("hidden"));
    assertEquals(List.of("head.weight", "head.bias"), report.skipped());
    assertArrayEquals(source.hidden().bias(), target.hidden().bias());
  }

  // ------------------------------------------------------------------ learning-rate multipliers

  @Test
  void multiplierOfOneHalfOnSgdGivesExactlyHalfTheUpdate() {
    float[][] x = {{1, 0, 0, 1}, {0, 1, 1, 0}, {1, 1, 0, 0}};
    float[][] y = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    TransferTest_TargetModel plain = new TransferTest_TargetModel(3);
    TransferTest_TargetModel halved = new TransferTest_TargetModel(3);
    halved.hidden().setLearningRateMultiplier(0.5f);
    assertEquals(0.5f, halved.hidden().learningRateMultiplier());
    float[] start = plain.core().parameters();
    plain.core().computeGradients(x, y);
    float[] g = plain.core().gradients();
    plain.core().applyGradients();
    halved.trainOnBatch(x, y);
    float[] full = plain.core().parameters();
    float[] half = halved.core().parameters();
    int hiddenCount = halved.hidden().parameterCount();
    for (int i = 0; i < full.length; i++) {
      float scale = i < hiddenCount ? 0.5f : 1f; // hidden's tensors come first in the flat array
      assertEquals(start[i] - (0.1f * scale) * g[i], half[i], 0f, "parameter " + i);
      assertEquals(start[i] - 0.1f * g[i], full[i], 0f, "parameter " + i);
      if (i < hiddenCount && g[i] != 0) {
        assertEquals(0.5, (start[i] - half[i]) / (double) (start[i] - full[i]), 1e-5, "half the update at " + i);
      }
    }
    assertEquals(1, halved.optimizer().iterations());
    assertThrows(IllegalArgumentException.class, () -> halved.hidden().setLearningRateMultiplier(-1f));
  }

  // ------------------------------------------------------------------ frozen normalization

  @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd(learningRate = 0.1)
  interface Normalized {
    @BatchNorm
    Layer norm();
  }

  @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd(learningRate = 0.1)
  interface FrozenNormalized {
    @BatchNorm(trainable = false)
    Layer norm();
  }

  @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd(learningRate = 0.1)
  interface FrozenLayerNormalized {
    @Dense(units = 2)
    Layer dense();

    @LayerNorm(trainable = false)
    Layer norm();
  }

  private static final float[][] NX = {{1, 2}, {3, 6}, {-1, 0}};
  private static final float[] GAMMA = {2f, 0.5f};
  private static final float[] BETA = {1f, -1f};
  private static final float[] MOVING_MEAN = {1f, 2f};
  private static final float[] MOVING_VAR = {4f, 16f};

  /** gamma, beta, moving mean, moving variance, in that order in the flat array. */
  private static void setStatistics(Model model) {
    float[] p = model.core().parameters();
    for (int j = 0; j < 2; j++) {
      p[j] = GAMMA[j];
      p[2 + j] = BETA[j];
      p[4 + j] = MOVING_MEAN[j];
      p[6 + j] = MOVING_VAR[j];
    }
    model.core().setParameters(p);
  }

  /** The inference-mode output, by hand: gamma (x - moving mean) / sqrt(moving var + 1e-3) + beta. */
  private static double[][] handOutput() {
    double[][] out = new double[3][2];
    for (int r = 0; r < 3; r++) {
      for (int j = 0; j < 2; j++) {
        out[r][j] = GAMMA[j] * (NX[r][j] - MOVING_MEAN[j]) / Math.sqrt(MOVING_VAR[j] + 1e-3) + BETA[j];
      }
    }
    return out;
  }

  private static void assertFrozenBatchNorm(Model model) {
    setStatistics(model);
    float[] before = model.core().parameters();
    float[][] zeros = new float[3][2];
    double[][] hand = handOutput();
    double expectedLoss = 0;
    for (double[] row : hand) {
      for (double v : row) {
        expectedLoss += v * v / 6;
      }
    }
    // A training-mode pass normalizes with the moving statistics.
    assertEquals(expectedLoss, model.core().loss(NX, zeros, true), 1e-5);
    // d loss / d x = 2 out / 6 * gamma / sqrt(moving var + eps): the inference-mode gradient.
    float[][] dx = new float[3][2];
    model.core().backwardToInput(NX, zeros, dx);
    for (int r = 0; r < 3; r++) {
      for (int j = 0; j < 2; j++) {
        assertEquals(2 * hand[r][j] / 6 * GAMMA[j] / Math.sqrt(MOVING_VAR[j] + 1e-3), dx[r][j], 1e-6);
      }
    }
    model.fit(NX, zeros, FitOptions.epochs(3).withBatchSize(3).withVerbose(false));
    assertArrayEquals(before, model.core().parameters(), "frozen: neither gamma, beta nor the moving statistics move");
  }

  @Test
  void batchNormFrozenAtRunTimeRunsInInferenceMode() {
    TransferTest_NormalizedModel model = new TransferTest_NormalizedModel(1);
    model.norm().setTrainable(false);
    assertFrozenBatchNorm(model);

    // Unfrozen, the same pass uses the batch's statistics and the moving ones move.
    model.norm().setTrainable(true);
    float[] before = model.core().parameters();
    double batchLoss = model.core().loss(NX, new float[3][2], true);
    assertTrue(Math.abs(batchLoss - model.core().loss(NX, new float[3][2], false)) > 0.1);
    assertTrue(model.core().parameters()[5] != before[5], "the moving mean moves in training");
  }

  @Test
  void batchNormDeclaredFrozenRunsInInferenceMode() {
    TransferTest_FrozenNormalizedModel model = new TransferTest_FrozenNormalizedModel(1);
    assertEquals(0, TransferTest_FrozenNormalizedModel.TRAINABLE_PARAMETER_COUNT);
    assertTrue(model.summary().contains(" Non-trainable params: 8 (32.00 B)"), model.summary());
    assertFrozenBatchNorm(model);
  }

  @Test
  void layerNormDeclaredFrozenKeepsGammaAndBeta() {
    TransferTest_FrozenLayerNormalizedModel model = new TransferTest_FrozenLayerNormalizedModel(1);
    assertEquals(6, TransferTest_FrozenLayerNormalizedModel.TRAINABLE_PARAMETER_COUNT);
    float[] normBefore = java.util.Arrays.copyOfRange(model.core().parameters(), 6, 10);
    float[][] denseBefore = model.dense().kernel();
    model.fit(NX, new float[][] {{1, 0}, {0, 1}, {1, 1}}, FitOptions.epochs(3).withBatchSize(3).withVerbose(false));
    assertArrayEquals(normBefore, java.util.Arrays.copyOfRange(model.core().parameters(), 6, 10));
    assertTrue(denseBefore[0][0] != model.dense().kernel()[0][0], "the dense layer before it trains");
  }

  // ------------------------------------------------------------------ checkpoints

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01)
  interface AdamNet {
    @Dense(units = 16, activation = RELU)
    Layer hidden();

    @Dropout(0.25)
    Layer drop();

    @Dense(units = 3, activation = SOFTMAX)
    Layer head();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Momentum(learningRate = 0.05, momentum = 0.9)
  interface MomentumNet {
    @Dense(units = 16, activation = RELU)
    Layer hidden();

    @BatchNorm
    Layer norm();

    @Dropout(0.25)
    Layer drop();

    @Dense(units = 3, activation = SOFTMAX)
    Layer head();
  }

  private static float[][][] data() {
    SplittableRandom random = new SplittableRandom(11);
    float[][] x = new float[70][4];
    float[][] y = new float[70][3];
    for (int i = 0; i < 70; i++) {
      for (int j = 0; j < 4; j++) {
        x[i][j] = (float) random.nextDouble(-1, 1);
      }
      y[i][(x[i][0] + x[i][1] > 0.3 ? 0 : x[i][2] > 0 ? 1 : 2)] = 1;
    }
    return new float[][][] {x, y};
  }

  private void assertResumesExactly(java.util.function.IntFunction<Model> factory) throws IOException {
    float[][][] d = data();
    FitOptions options = FitOptions.epochs(4).withBatchSize(16).withShuffle(7).withVerbose(false);
    Model straight = factory.apply(5);
    straight.fit(d[0], d[1], options);

    Model first = factory.apply(5);
    first.fit(d[0], d[1], FitOptions.epochs(2).withBatchSize(16).withShuffle(7).withVerbose(false));
    assertEquals(2, first.core().epoch());
    Path checkpoint = dir.resolve("checkpoint.safetensors");
    first.saveCheckpoint(checkpoint);
    SafeTensorsFile file = SafeTensors.read(checkpoint);
    assertEquals("1", file.metadata().get("kiln.checkpoint"));
    assertEquals("2", file.metadata().get("kiln.epoch"));
    assertEquals(Long.toString(first.optimizer().iterations()), file.metadata().get("kiln.optimizer.iterations"));

    Model resumed = factory.apply(99); // a new instance, another seed: everything comes from the file
    resumed.loadCheckpoint(checkpoint);
    assertEquals(2, resumed.core().epoch());
    assertEquals(first.optimizer().iterations(), resumed.optimizer().iterations());
    resumed.fit(d[0], d[1], options.withInitialEpoch(resumed.core().epoch()));
    assertArrayEquals(straight.core().parameters(), resumed.core().parameters(), "2 + 2 epochs equal 4 bit for bit");
    assertEquals(straight.optimizer().iterations(), resumed.optimizer().iterations());

    // Without the optimizer state (weights alone) the same resumption differs.
    Model weightsOnly = factory.apply(99);
    weightsOnly.loadCheckpoint(checkpoint);
    weightsOnly.optimizer().reset();
    weightsOnly.fit(d[0], d[1], options.withInitialEpoch(2));
    assertFalse(java.util.Arrays.equals(straight.core().parameters(), weightsOnly.core().parameters()));
  }

  @Test
  void adamCheckpointResumesBitForBit() throws IOException {
    assertResumesExactly(TransferTest_AdamNetModel::new);
  }

  @Test
  void momentumCheckpointResumesBitForBit() throws IOException {
    assertResumesExactly(TransferTest_MomentumNetModel::new);
  }

  @Test
  void checkpointOfAnotherOptimizerOrAPlainWeightsFileIsRejectedWithoutChanges() throws IOException {
    TransferTest_AdamNetModel adam = new TransferTest_AdamNetModel(1);
    Path checkpoint = dir.resolve("adam.safetensors");
    adam.saveCheckpoint(checkpoint);
    TransferTest_MomentumNetModel momentum = new TransferTest_MomentumNetModel(1);
    float[] before = momentum.core().parameters();
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> momentum.loadCheckpoint(checkpoint));
    assertTrue(e.getMessage().contains("a checkpoint of network AdamNet, not MomentumNet"), e.getMessage());
    Path weights = dir.resolve("weights.safetensors");
    adam.save(weights);
    TransferTest_AdamNetModel other = new TransferTest_AdamNetModel(2);
    float[] otherBefore = other.core().parameters();
    e = assertThrows(KilnFormatException.class, () -> other.loadCheckpoint(weights));
    assertTrue(e.getMessage().contains("not a Kiln checkpoint"), e.getMessage());
    assertArrayEquals(before, momentum.core().parameters());
    assertArrayEquals(otherBefore, other.core().parameters());
    // A checkpoint's parameters also load as plain weights, its optimizer tensors skipped.
    LoadReport report = other.core().loadPartial(checkpoint, LoadOptions.strict(false));
    assertEquals(List.of("optimizer.m", "optimizer.v"), report.skipped());
    assertArrayEquals(adam.core().parameters(), other.core().parameters());
  }
}
