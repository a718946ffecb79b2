package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.internal.LayerInfo;
import dev.kiln.runtime.ModelCore;
import dev.kiln.runtime.internal.TensorSlice;
import dev.kiln.runtime.training.Callback;
import dev.kiln.runtime.training.EarlyStopping;
import dev.kiln.runtime.training.GradientClipping;
import dev.kiln.runtime.training.LearningRateSchedule;
import dev.kiln.runtime.training.ModelCheckpoint;
import dev.kiln.runtime.training.TrainingDivergedException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training control on generated networks: early stopping and checkpoints on a classifier that
 * overfits a tiny training set, divergence on a learning rate of 1e30, gradient clipping against
 * a double-precision reference, and a training step that allocates nothing with all of it on.
 */
class TrainingControlTest {
  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.5)
  interface Classifier {
    @Dense(units = 16, activation = RELU)
    Layer hidden();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = 3, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd(learningRate = 0.01)
  interface Regressor {
    @Dense(units = 8, activation = RELU)
    Layer hidden();

    @Dense(units = 1)
    Layer output();
  }

  @TempDir Path dir;

  // Twelve training samples labelled by a rule, a third of them mislabelled: the classifier first
  // learns the rule (val_loss falls), then memorizes the wrong labels (val_loss rises).
  private static final float[][] TRAIN_X = randomInputs(12, 1);
  private static final float[][] TRAIN_Y = mislabel(ruleLabels(TRAIN_X), 0, 3, 6, 9);
  private static final float[][] VAL_X = randomInputs(40, 2);
  private static final float[][] VAL_Y = ruleLabels(VAL_X);

  private static FitOptions overfitting(Callback... callbacks) {
    return FitOptions.epochs(300).withBatchSize(3).withShuffle(5).withValidation(VAL_X, VAL_Y).withVerbose(false)
        .withCallbacks(callbacks);
  }

  @Test
  void earlyStoppingOnValLossStopsWherePatienceSaysAndRestoresTheBestEpochBitForBit() {
    TrainingControlTest_ClassifierModel model = new TrainingControlTest_ClassifierModel(7);
    Snapshots snapshots = new Snapshots();
    EarlyStopping stopping = EarlyStopping.monitoring("val_loss").withPatience(4).withRestoreBestWeights(true);
    History history = model.fit(TRAIN_X, TRAIN_Y, overfitting(snapshots, stopping));

    int[] expected = kerasRule(history.get("val_loss"), 4, 0, true);
    assertTrue(expected[1] > 0 && expected[1] < 300, "val_loss rises: " + Arrays.toString(history.get("val_loss")));
    assertEquals(expected[1], history.stoppedEpoch());
    assertEquals(expected[1], history.epochs());
    assertEquals(expected[0], history.bestEpoch());
    assertEquals(expected[1] - 4, history.bestEpoch(), "patience 4 after the best");
    assertTrue(history.bestEpoch() > 1, "val_loss first falls, then rises");
    assertTrue(history.bestWeightsRestored());
    assertArrayEquals(snapshots.epochs.get(history.bestEpoch() - 1), model.core().parameters());
    assertFalse(Arrays.equals(snapshots.epochs.get(history.epochs() - 1), model.core().parameters()));
  }

  @Test
  void earlyStoppingOnAccuracyLooksForARise() {
    TrainingControlTest_ClassifierModel model = new TrainingControlTest_ClassifierModel(7);
    Snapshots snapshots = new Snapshots();
    EarlyStopping stopping = EarlyStopping.monitoring("accuracy").withPatience(3).withRestoreBestWeights(true);
    History history = model.fit(TRAIN_X, TRAIN_Y, overfitting(snapshots, stopping));
    int[] expected = kerasRule(history.get("accuracy"), 3, 0, false);
    assertEquals(expected[1], history.stoppedEpoch());
    assertEquals(expected[0], history.bestEpoch());
    double[] accuracy = history.get("accuracy");
    assertEquals(Arrays.stream(accuracy).max().getAsDouble(), accuracy[history.bestEpoch() - 1]);
    assertArrayEquals(snapshots.epochs.get(history.bestEpoch() - 1), model.core().parameters());
  }

  @Test
  void theCheckpointFileHoldsTheBestEpochsWeights() throws IOException {
    Path file = dir.resolve("classifier.safetensors");
    TrainingControlTest_ClassifierModel model = new TrainingControlTest_ClassifierModel(7);
    Snapshots snapshots = new Snapshots();
    ModelCheckpoint checkpoint = ModelCheckpoint.best(file, "val_loss");
    History history = model.fit(TRAIN_X, TRAIN_Y, overfitting(snapshots, checkpoint).withCallbacks(
        snapshots, checkpoint, EarlyStopping.monitoring("val_loss").withPatience(6)));
    double[] valLoss = history.get("val_loss");
    int best = 0;
    for (int i = 1; i < valLoss.length; i++) {
      if (valLoss[i] < valLoss[best]) {
        best = i;
      }
    }
    assertEquals(best + 1, checkpoint.bestEpoch());
    assertEquals(history.bestEpoch(), checkpoint.bestEpoch());
    TrainingControlTest_ClassifierModel fresh = new TrainingControlTest_ClassifierModel(99);
    fresh.load(file);
    assertArrayEquals(snapshots.epochs.get(best), fresh.core().parameters());
    assertFalse(Arrays.equals(snapshots.epochs.get(history.epochs() - 1), fresh.core().parameters()));
  }

  /**
   * At rate 1e30, the first step (gradients of order 1) leaves the weights of order 1e30, still
   * finite; the second batch's forward pass multiplies two such layers and overflows float.
   */
  @Test
  void aRateOf1e30StopsAtTheSecondBatchWithTheWeightsBeforeIt() {
    float[][] x = randomInputs(8, 3, 3);
    float[][] y = new float[8][1];
    for (int i = 0; i < 8; i++) {
      y[i][0] = x[i][0] - x[i][2];
    }
    TrainingControlTest_RegressorModel model = new TrainingControlTest_RegressorModel(3);
    model.setLearningRate(1e30f);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> model.fit(x, y, FitOptions.epochs(5).withBatchSize(4).withoutShuffle().withVerbose(false)));
    assertEquals(1, e.epoch());
    assertEquals(2, e.batch());
    assertTrue(e.getMessage().contains("the loss of epoch 1, batch 2 is "), e.getMessage());
    assertTrue(e.getMessage().contains("the weights were left at the last finite state"), e.getMessage());
    assertEquals(0, e.history().epochs());
    float[] params = model.core().parameters();
    for (float p : params) {
      assertTrue(Float.isFinite(p), "finite parameters");
    }
    // The same first step, taken by hand on a twin, gives the same parameters, which do produce a
    // non-finite loss on the second batch.
    TrainingControlTest_RegressorModel twin = new TrainingControlTest_RegressorModel(3);
    twin.setLearningRate(1e30f);
    twin.trainOnBatch(Arrays.copyOfRange(x, 0, 4), Arrays.copyOfRange(y, 0, 4));
    assertArrayEquals(twin.core().parameters(), params);
    assertFalse(Double.isFinite(twin.core().computeGradients(Arrays.copyOfRange(x, 4, 8), Arrays.copyOfRange(y, 4, 8))));
  }

  @Test
  void divergenceInALaterEpochKeepsTheCompletedEpochsHistory() {
    float[][] x = randomInputs(8, 3, 3);
    float[][] y = new float[8][1];
    for (int i = 0; i < 8; i++) {
      y[i][0] = x[i][1];
    }
    // 0.01 for epochs 1 and 2, then 0.01 * 1e32 = 1e30.
    LearningRateSchedule schedule = LearningRateSchedule.stepDecay(0.01f, 1e32, 2);
    TrainingControlTest_RegressorModel model = new TrainingControlTest_RegressorModel(3);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> model.fit(x, y,
        FitOptions.epochs(10).withBatchSize(4).withoutShuffle().withVerbose(false).withSchedule(schedule, LearningRateSchedule.Unit.EPOCH)));
    assertEquals(3, e.epoch());
    assertEquals(2, e.batch());
    assertEquals(2, e.history().epochs());
    assertArrayEquals(new double[] {0.01f, 0.01f}, e.history().get("lr"));
    TrainingControlTest_RegressorModel twin = new TrainingControlTest_RegressorModel(3);
    float[][] x1 = Arrays.copyOfRange(x, 0, 4);
    float[][] y1 = Arrays.copyOfRange(y, 0, 4);
    float[][] x2 = Arrays.copyOfRange(x, 4, 8);
    float[][] y2 = Arrays.copyOfRange(y, 4, 8);
    twin.setLearningRate(0.01f);
    for (int epoch = 0; epoch < 2; epoch++) {
      twin.trainOnBatch(x1, y1);
      twin.trainOnBatch(x2, y2);
    }
    twin.setLearningRate(schedule.learningRate(2));
    twin.trainOnBatch(x1, y1);
    assertArrayEquals(twin.core().parameters(), model.core().parameters());
    for (float p : model.core().parameters()) {
      assertTrue(Float.isFinite(p));
    }
  }

  @Test
  void clippingByValueBoundsTheGradientTheStepUses() {
    assertClippedStep(GradientClipping.byValue(0.01f), (raw, tensors) -> {
      double[] out = new double[raw.length];
      for (int i = 0; i < raw.length; i++) {
        out[i] = Math.max(-0.01, Math.min(0.01, raw[i]));
      }
      return out;
    });
  }

  @Test
  void clippingByNormRescalesEachTensor() {
    assertClippedStep(GradientClipping.byNorm(0.05f), (raw, tensors) -> {
      double[] out = new double[raw.length];
      for (TensorSlice t : tensors) {
        double norm = 0;
        for (int i = t.offset(); i < t.offset() + t.size(); i++) {
          norm += (double) raw[i] * raw[i];
        }
        norm = Math.sqrt(norm);
        for (int i = t.offset(); i < t.offset() + t.size(); i++) {
          out[i] = norm > 0.05 ? raw[i] * 0.05 / norm : raw[i];
        }
      }
      return out;
    });
  }

  @Test
  void clippingByGlobalNormRescalesTheWholeGradient() {
    assertClippedStep(GradientClipping.byGlobalNorm(0.05f), (raw, tensors) -> {
      double norm = 0;
      for (float g : raw) {
        norm += (double) g * g;
      }
      norm = Math.sqrt(norm);
      double[] out = new double[raw.length];
      for (int i = 0; i < raw.length; i++) {
        out[i] = norm > 0.05 ? raw[i] * 0.05 / norm : raw[i];
      }
      return out;
    });
  }

  /**
   * A frozen layer's gradient neither counts toward the global norm nor is rescaled (Keras clips
   * trainable variables only), and its parameters stay.
   */
  @Test
  void clippingByGlobalNormLeavesFrozenLayersOut() {
    TrainingControlTest_ClassifierModel model = new TrainingControlTest_ClassifierModel(11);
    model.core().setTrainable("hidden", false);
    TrainingControlTest_ClassifierModel twin = new TrainingControlTest_ClassifierModel(11);
    twin.core().computeGradients(TRAIN_X, TRAIN_Y);
    float[] raw = twin.core().gradients();
    float[] before = model.core().parameters();
    List<TensorSlice> output = model.core().info().layers().get(1).tensors();
    int hiddenSize = output.get(0).offset();
    double norm = 0;
    for (TensorSlice t : output) {
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        norm += (double) raw[i] * raw[i];
      }
    }
    norm = Math.sqrt(norm);
    assertTrue(norm > 0.05);
    model.fit(TRAIN_X, TRAIN_Y, FitOptions.epochs(1).withBatchSize(TRAIN_X.length).withoutShuffle().withVerbose(false)
        .withGradientClipping(GradientClipping.byGlobalNorm(0.05f)));
    float[] clipped = model.core().gradients();
    float[] after = model.core().parameters();
    for (int i = 0; i < hiddenSize; i++) {
      assertEquals(raw[i], clipped[i], "frozen gradient " + i + " untouched");
      assertEquals(before[i], after[i], "frozen parameter " + i);
    }
    for (int i = hiddenSize; i < raw.length; i++) {
      double expected = raw[i] * 0.05 / norm;
      assertEquals(expected, clipped[i], 1e-6 * Math.abs(expected) + 1e-12, "gradient " + i);
    }
  }

  interface Reference {
    double[] clip(float[] raw, List<TensorSlice> tensors);
  }

  /** One full-batch SGD step with clipping, against the twin's raw gradient clipped in double. */
  private static void assertClippedStep(GradientClipping clipping, Reference reference) {
    TrainingControlTest_ClassifierModel model = new TrainingControlTest_ClassifierModel(11);
    TrainingControlTest_ClassifierModel twin = new TrainingControlTest_ClassifierModel(11);
    float[] before = model.core().parameters();
    twin.core().computeGradients(TRAIN_X, TRAIN_Y);
    float[] raw = twin.core().gradients();
    List<TensorSlice> tensors = new ArrayList<>();
    for (LayerInfo layer : model.core().info().layers()) {
      tensors.addAll(layer.tensors());
    }
    assertEquals(4, tensors.size());
    double[] expected = reference.clip(raw, tensors);
    assertFalse(Arrays.equals(raw, toFloats(expected)), "the limit is low enough to clip");

    model.fit(TRAIN_X, TRAIN_Y, FitOptions.epochs(1).withBatchSize(TRAIN_X.length).withoutShuffle().withVerbose(false)
        .withGradientClipping(clipping));
    float[] clipped = model.core().gradients();
    float[] after = model.core().parameters();
    for (int i = 0; i < raw.length; i++) {
      assertEquals(expected[i], clipped[i], 1e-6 * Math.abs(expected[i]) + 1e-12, clipping + " gradient " + i);
      assertEquals(before[i] - 0.5 * clipped[i], after[i], 1e-6 * Math.abs(after[i]) + 1e-9, clipping + " parameter " + i);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Keras's EarlyStopping rule over a finished sequence: {best epoch, stopped epoch or 0}, 1-based. */
  private static int[] kerasRule(double[] values, int patience, double minDelta, boolean lowerIsBetter) {
    double best = lowerIsBetter ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    int bestEpoch = 0;
    int wait = 0;
    for (int epoch = 0; epoch < values.length; epoch++) {
      wait++;
      if (lowerIsBetter ? values[epoch] + minDelta < best : values[epoch] - minDelta > best) {
        best = values[epoch];
        bestEpoch = epoch + 1;
        wait = 0;
        continue;
      }
      if (wait >= patience && epoch > 0) {
        return new int[] {bestEpoch, epoch + 1};
      }
    }
    return new int[] {bestEpoch, 0};
  }

  /** A copy of the parameters at the end of every epoch. */
  private static final class Snapshots implements Callback {
    final List<float[]> epochs = new ArrayList<>();

    @Override
    public void onTrainBegin(dev.kiln.runtime.training.TrainingContext model) {
      epochs.clear();
    }

    @Override
    public void onEpochEnd(int epoch, History history, dev.kiln.runtime.training.TrainingContext model) {
      epochs.add(model.parameters());
    }
  }

  static long allocatedBy(Runnable call) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    call.run();
    return threads.getThreadAllocatedBytes(thread) - before;
  }

  static float[][] randomInputs(int n, long seed) {
    return randomInputs(n, 4, seed);
  }

  private static float[][] randomInputs(int n, int width, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] x = new float[n][width];
    for (float[] row : x) {
      for (int j = 0; j < width; j++) {
        row[j] = (float) (random.nextDouble() * 2 - 1);
      }
    }
    return x;
  }

  private static float[][] oneHot(int[] labels) {
    float[][] y = new float[labels.length][3];
    for (int i = 0; i < labels.length; i++) {
      y[i][labels[i]] = 1;
    }
    return y;
  }

  /** Moves the one-hot label of each given row to the next class. */
  private static float[][] mislabel(float[][] y, int... rows) {
    for (int row : rows) {
      float[] shifted = new float[3];
      for (int c = 0; c < 3; c++) {
        shifted[(c + 1) % 3] = y[row][c];
      }
      y[row] = shifted;
    }
    return y;
  }

  static float[][] ruleLabels(float[][] x) {
    int[] labels = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      labels[i] = x[i][0] + x[i][1] > 0.5 ? 0 : x[i][2] > 0 ? 1 : 2;
    }
    return oneHot(labels);
  }

  private static float[] toFloats(double[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }
}
