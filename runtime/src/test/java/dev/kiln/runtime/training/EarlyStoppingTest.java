package dev.kiln.runtime.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.ModelCore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * EarlyStopping on the linear model trained on x = 1, y = 2 and validated on x = 1, y = 1. With
 * SGD at 0.025 from zero weights the prediction after k steps is p_k = 2 - 2 * 0.9^k, so val_loss
 * (p_k - 1)^2 falls until epoch 7 (p_7 = 1.0434) and rises after: the best epoch is 7 and, with
 * patience P, Keras stops at epoch 7 + P.
 */
class EarlyStoppingTest {
  static final float[][] X = {{1}};
  static final float[][] Y = {{2}};
  static final float[][] VAL_Y = {{1}};

  /** (p_k - 1)^2 for epochs 1..n, in double. */
  static double[] expectedValLoss(int n) {
    double[] v = new double[n];
    for (int k = 1; k <= n; k++) {
      double p = 2 - 2 * Math.pow(0.9, k);
      v[k - 1] = (p - 1) * (p - 1);
    }
    return v;
  }

  /**
   * Keras's EarlyStopping.on_epoch_end, written out again over a finished sequence: returns
   * {best epoch, stopped epoch (0 if none)}, 1-based.
   */
  static int[] kerasRule(double[] values, int patience, double minDelta, boolean lowerIsBetter) {
    double best = lowerIsBetter ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    int bestEpoch = 0;
    int wait = 0;
    for (int epoch = 0; epoch < values.length; epoch++) {
      wait++;
      boolean improved = lowerIsBetter ? values[epoch] + minDelta < best : values[epoch] - minDelta > best;
      if (improved) {
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

  private static FitOptions options(int epochs, Callback... callbacks) {
    return FitOptions.epochs(epochs).withBatchSize(1).withValidation(X, VAL_Y).withVerbose(false).withCallbacks(callbacks);
  }

  @Test
  void theWorkedExampleReallyHasItsBestEpochAtSeven() {
    int[] rule = kerasRule(expectedValLoss(30), 5, 0, true);
    assertEquals(7, rule[0]);
    assertEquals(12, rule[1]);
  }

  @Test
  void stopsPatienceEpochsAfterTheBestAndRestoresItsWeightsBitForBit() {
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    Snapshots snapshots = new Snapshots();
    EarlyStopping stopping = EarlyStopping.monitoring("val_loss").withPatience(5).withRestoreBestWeights(true);
    History history = model.fit(X, Y, options(100, snapshots, stopping));

    assertEquals(12, history.epochs());
    assertEquals(12, history.stoppedEpoch());
    assertEquals(7, history.bestEpoch());
    assertTrue(history.bestWeightsRestored());
    assertEquals(7, stopping.bestEpoch());
    assertEquals(12, stopping.stoppedEpoch());
    assertArrayEquals(expectedValLoss(12), history.get("val_loss"), 1e-5);
    assertEquals(history.get("val_loss")[6], stopping.bestValue());
    assertEquals(12, snapshots.epochs.size());
    assertArrayEquals(snapshots.epochs.get(6), model.parameters()); // bit for bit
    double p7 = 2 - 2 * Math.pow(0.9, 7);
    assertEquals(p7, model.parameters()[0] + model.parameters()[1], 1e-5);
  }

  @Test
  void withoutRestoringTheLastEpochsWeightsStay() {
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    Snapshots snapshots = new Snapshots();
    History history = model.fit(X, Y, options(100, snapshots, EarlyStopping.monitoring("val_loss").withPatience(3)));
    assertEquals(10, history.stoppedEpoch());
    assertEquals(7, history.bestEpoch());
    assertFalse(history.bestWeightsRestored());
    assertArrayEquals(snapshots.epochs.get(9), model.parameters());
  }

  @Test
  void restoresTheBestWeightsEvenWhenAllEpochsRan() {
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    Snapshots snapshots = new Snapshots();
    History history = model.fit(X, Y, options(9, snapshots,
        EarlyStopping.monitoring("val_loss").withPatience(5).withRestoreBestWeights(true)));
    assertEquals(9, history.epochs());
    assertEquals(0, history.stoppedEpoch());
    assertEquals(7, history.bestEpoch());
    assertArrayEquals(snapshots.epochs.get(6), model.parameters());
  }

  @Test
  void patienceZeroStopsAtTheFirstEpochWithoutImprovement() {
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    History history = model.fit(X, Y, options(100, EarlyStopping.monitoring("val_loss")));
    assertEquals(8, history.stoppedEpoch());
    assertEquals(7, history.bestEpoch());
  }

  /**
   * val_loss by epoch: 0.64, 0.3844, 0.2098, 0.0975, 0.0328, 0.0040, ... With minDelta 0.1 an
   * epoch must beat the best by more than 0.1: epochs 2, 3 and 4 do, epoch 5 (0.0975 - 0.0328 <
   * 0.1) does not, so patience 2 stops at epoch 6 with epoch 4 best.
   */
  @Test
  void minDeltaIgnoresSmallImprovements() {
    assertArrayEquals(new int[] {4, 6}, kerasRule(expectedValLoss(30), 2, 0.1, true));
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    History history = model.fit(X, Y, options(100, EarlyStopping.monitoring("val_loss").withPatience(2).withMinDelta(0.1)));
    assertEquals(6, history.stoppedEpoch());
    assertEquals(4, history.bestEpoch());
  }

  /** In MAX mode a falling val_loss is no improvement: epoch 1 stays best, patience 2 stops at 3. */
  @Test
  void modeMaxTreatsRisingValuesAsImprovements() {
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    EarlyStopping stopping = EarlyStopping.monitoring("val_loss").withMode(MonitorMode.MAX).withPatience(2);
    History history = model.fit(X, Y, options(100, stopping));
    assertEquals(3, history.stoppedEpoch());
    assertEquals(1, history.bestEpoch());
    assertEquals(MonitorMode.MAX, stopping.mode());
    assertEquals(MonitorMode.MAX, EarlyStopping.monitoring("val_accuracy").mode());
    assertEquals(MonitorMode.MIN, EarlyStopping.monitoring("loss").mode());
  }

  @Test
  void theTrainingLossCanBeMonitoredToo() {
    // The training loss falls every epoch: never stops, best is the last epoch.
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    History history = model.fit(X, Y, options(20, EarlyStopping.monitoring("loss").withPatience(1)));
    assertEquals(20, history.epochs());
    assertEquals(0, history.stoppedEpoch());
    assertEquals(20, history.bestEpoch());
  }

  @Test
  void oneInstanceStartsAfreshInEveryFit() {
    EarlyStopping stopping = EarlyStopping.monitoring("val_loss").withPatience(5).withRestoreBestWeights(true);
    ModelCore first = LinearNetwork.model(1, 1, 0.025f);
    first.fit(X, Y, options(100, stopping));
    ModelCore second = LinearNetwork.model(1, 1, 0.025f);
    History history = second.fit(X, Y, options(100, stopping));
    assertEquals(12, history.stoppedEpoch());
    assertEquals(7, history.bestEpoch());
    assertArrayEquals(first.parameters(), second.parameters());
  }

  @Test
  void printsOneLineWhenItStops() {
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    FitOptions options = FitOptions.epochs(100).withBatchSize(1).withValidation(X, VAL_Y)
        .withCallbacks(EarlyStopping.monitoring("val_loss").withPatience(5).withRestoreBestWeights(true));
    String[] lines = captureStdout(() -> model.fit(X, Y, options)).strip().split("\n");
    assertEquals(13, lines.length);
    assertEquals("Early stopping at epoch 12: best val_loss 0.0019 at epoch 7, weights restored", lines[12]);
    String[] quiet = captureStdout(() -> LinearNetwork.model(1, 1, 0.025f).fit(X, Y,
        options.withCallbacks(EarlyStopping.monitoring("val_loss").withPatience(2)))).strip().split("\n");
    assertEquals("Early stopping at epoch 9: best val_loss 0.0019 at epoch 7, weights of epoch 9 kept", quiet[quiet.length - 1]);
  }

  @Test
  void aMissingMonitorFailsBeforeTheFirstEpochNamingWhatIsThere() {
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    model.setParameters(new float[] {0.5f, -0.25f});
    Snapshots snapshots = new Snapshots();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.fit(X, Y,
        FitOptions.epochs(10).withBatchSize(1).withVerbose(false).withCallbacks(snapshots, EarlyStopping.monitoring("val_loss"))));
    assertEquals("EarlyStopping monitors 'val_loss', which this training does not record; available: [loss, seconds];"
        + " validation values need FitOptions.withValidation", e.getMessage());
    assertEquals(0, snapshots.epochs.size()); // no epoch ran
    e = assertThrows(IllegalArgumentException.class, () -> model.fit(X, Y, options(10, EarlyStopping.monitoring("val_acc"))));
    assertEquals("EarlyStopping monitors 'val_acc', which this training does not record; available: [loss, val_loss, seconds]",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> model.fit(X, Y, options(10, EarlyStopping.monitoring("val_los"))
        .withSchedule(LearningRateSchedule.constant(0.025f), LearningRateSchedule.Unit.EPOCH)));
    assertEquals("EarlyStopping monitors 'val_los', which this training does not record; available: [loss, val_loss, lr,"
        + " seconds]", e.getMessage());
    assertArrayEquals(new float[] {0.5f, -0.25f}, model.parameters());
    assertEquals(0, model.optimizer().iterations());
  }

  @Test
  void invalidArgumentsAreRejectedNamingTheValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.monitoring("val_loss").withPatience(-1));
    assertEquals("EarlyStopping patience must be >= 0, was -1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> EarlyStopping.monitoring("val_loss").withMinDelta(-0.01));
    assertEquals("EarlyStopping minDelta must be finite and >= 0, was -0.01", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> EarlyStopping.monitoring("val_loss").withMinDelta(Double.NaN));
    assertEquals("EarlyStopping minDelta must be finite and >= 0, was NaN", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> EarlyStopping.monitoring(""));
    assertTrue(e.getMessage().contains("needs the name of a value to monitor"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> EarlyStopping.monitoring("loss").withMode(null));
  }

  /** Records a copy of the parameters at the end of every epoch. */
  static final class Snapshots implements Callback {
    final List<float[]> epochs = new ArrayList<>();

    @Override
    public void onTrainBegin(TrainingContext model) {
      epochs.clear();
    }

    @Override
    public void onEpochEnd(int epoch, History history, TrainingContext model) {
      assertEquals(epochs.size() + 1, epoch);
      epochs.add(model.parameters());
    }
  }

  static String captureStdout(Runnable action) {
    PrintStream original = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setOut(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
