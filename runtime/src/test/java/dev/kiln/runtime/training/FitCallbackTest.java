package dev.kiln.runtime.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.ModelCore;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * fit's training control on the hand-written linear model: when callbacks run, stopping, the
 * learning-rate schedule as the optimizer sees it, stopping on a non-finite loss, the options'
 * checks, and a step that allocates nothing with everything turned on.
 */
class FitCallbackTest {
  private static final float[][] X5 = {{1}, {2}, {3}, {4}, {5}};
  private static final float[][] Y5 = {{2}, {3}, {4}, {5}, {6}};

  @Test
  void callbacksSeeEveryBatchAndEpochInOrder() {
    List<String> events = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    Callback recorder = new Callback() {
      @Override
      public void onTrainBegin(TrainingContext model) {
        events.add("begin");
      }

      @Override
      public void onBatchEnd(int epoch, int batch, double loss) {
        events.add(epoch + "." + batch);
        losses.add(loss);
      }

      @Override
      public void onEpochEnd(int epoch, History history, TrainingContext model) {
        events.add("epoch " + epoch + " of " + history.epochs());
      }

      @Override
      public void onTrainEnd(History history, TrainingContext model) {
        events.add("end");
      }
    };
    History history = LinearNetwork.model(1, 2, 0.01f).fit(X5, Y5,
        FitOptions.epochs(2).withBatchSize(2).withoutShuffle().withVerbose(false).withCallbacks(recorder));
    assertEquals(List.of("begin", "1.1", "1.2", "1.3", "epoch 1 of 1", "2.1", "2.2", "2.3", "epoch 2 of 2", "end"), events);
    // The epoch's loss is the sample-weighted mean of its batches' losses (batches of 2, 2 and 1).
    double epoch1 = (losses.get(0) * 2 + losses.get(1) * 2 + losses.get(2)) / 5;
    assertEquals(epoch1, history.get("loss")[0], 1e-12);
    assertEquals(0, history.stoppedEpoch());
    assertEquals(0, history.bestEpoch());
  }

  @Test
  void aCallbackCanStopInTheMiddleOfAnEpochWhichThenFinishesItsBookkeeping() {
    List<Double> losses = new ArrayList<>();
    Callback stopAfterFourBatches = new Callback() {
      int batches;

      @Override
      public void onBatchEnd(int epoch, int batch, double loss) {
        batches++;
        losses.add(loss);
      }

      @Override
      public boolean stopTraining() {
        return batches >= 4;
      }

      @Override
      public String toString() {
        return "StopAfterFourBatches";
      }
    };
    FitOptions options = FitOptions.epochs(10).withBatchSize(2).withoutShuffle().withCallbacks(stopAfterFourBatches);
    String[] lines = EarlyStoppingTest.captureStdout(() -> {
      History history = LinearNetwork.model(1, 2, 0.01f).fit(X5, Y5, options);
      assertEquals(2, history.epochs());
      assertEquals(2, history.stoppedEpoch());
      // Epoch 2 saw only its first batch (samples 1 and 2): the loss is that batch's.
      assertEquals(losses.get(3), history.get("loss")[1], 1e-12);
    }).strip().split("\n");
    assertEquals(3, lines.length);
    assertTrue(lines[1].startsWith("Epoch 2/10 - 1 step - loss: "), lines[1]);
    assertEquals("Training stopped at epoch 2 by StopAfterFourBatches", lines[2]);
  }

  /**
   * One sample x = 1, y = 2 at batch 1: with rate eta_k the prediction moves as p' = p - 4 eta_k
   * (p - 2) (weight and bias each get the gradient 2 (p - 2)), so the parameters after training
   * show every scheduled rate was used, in order.
   */
  @Test
  void aPerStepScheduleSetsTheRateBeforeEveryStep() {
    LearningRateSchedule schedule = LearningRateSchedule.cosineDecay(0.05f, 6, 0.01f).withWarmUp(3);
    float[][] x = {{1}, {1}, {1}};
    float[][] y = {{2}, {2}, {2}};
    RateRecorder rates = new RateRecorder();
    ModelCore model = LinearNetwork.model(1, 1, 0.5f);
    History history = model.fit(x, y, FitOptions.epochs(4).withBatchSize(1).withVerbose(false)
        .withSchedule(schedule, LearningRateSchedule.Unit.STEP).withCallbacks(rates));
    double p = 0;
    for (int k = 0; k < 12; k++) {
      double expected = k < 3 ? 0.05 * (k + 1) / 3 : k - 3 < 6 ? 0.01 + 0.04 * (1 + Math.cos(Math.PI * (k - 3) / 6)) / 2 : 0.01;
      assertEquals(expected, rates.rates.get(k), 1e-8, "step " + k);
      p -= 4 * expected * (p - 2);
    }
    float[] params = model.parameters();
    assertEquals(p, params[0] + params[1], 1e-5);
    // lr per epoch: the rate of the epoch's last step (steps 2, 5, 8, 11).
    assertArrayEquals(new double[] {rates.rates.get(2), rates.rates.get(5), rates.rates.get(8), rates.rates.get(11)},
        history.get("lr"));
    assertEquals(List.of("loss", "lr", "seconds"), List.copyOf(history.names()));
  }

  @Test
  void aPerEpochScheduleHoldsTheRateForTheWholeEpoch() {
    RateRecorder rates = new RateRecorder();
    History history = LinearNetwork.model(1, 2, 0.5f).fit(X5, Y5, FitOptions.epochs(5).withBatchSize(2).withVerbose(false)
        .withSchedule(LearningRateSchedule.stepDecay(0.01f, 0.5, 2), LearningRateSchedule.Unit.EPOCH).withCallbacks(rates));
    double[] perEpoch = {0.01, 0.01, 0.005, 0.005, 0.0025};
    for (int step = 0; step < 15; step++) {
      assertEquals(perEpoch[step / 3], rates.rates.get(step), 1e-9, "step " + step);
    }
    assertArrayEquals(perEpoch, history.get("lr"), 1e-9);
  }

  @Test
  void aScheduleGivingAnInvalidRateIsAClearError() {
    LearningRateSchedule broken = step -> step < 3 ? 0.01f : -1f;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinearNetwork.model(1, 2, 0.5f)
        .fit(X5, Y5, FitOptions.epochs(5).withBatchSize(2).withVerbose(false).withSchedule(broken, LearningRateSchedule.Unit.STEP)));
    assertTrue(e.getMessage().contains("gave -1.0 at step 3; a learning rate must be finite and >= 0"), e.getMessage());
  }

  /**
   * x = 1e20, y = 1 twice per epoch at batch 1. Epochs 1 and 2 run at rate 0 (no change, loss 1);
   * epoch 3's first step at rate 1 takes w to 2e20 and b to 2, both finite, and its second batch
   * predicts 2e20 * 1e20, which overflows float: the loss is infinite.
   */
  @Test
  void aNonFiniteLossStopsBeforeItsStepKeepingTheLastFiniteWeights() {
    float[][] x = {{1e20f}, {1e20f}};
    float[][] y = {{1}, {1}};
    ModelCore model = LinearNetwork.model(1, 1, 0f);
    BatchSnapshots snapshots = new BatchSnapshots();
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> model.fit(x, y,
        FitOptions.epochs(10).withBatchSize(1).withoutShuffle().withVerbose(false).withCallbacks(snapshots)
            .withSchedule(epoch -> epoch < 2 ? 0f : 1f, LearningRateSchedule.Unit.EPOCH)));
    assertEquals(3, e.epoch());
    assertEquals(2, e.batch());
    assertEquals(Double.POSITIVE_INFINITY, e.loss());
    assertEquals("training diverged: the loss of epoch 3, batch 2 is Infinity; training stopped before that batch's"
        + " optimizer step, so the weights were left at the last finite state. Try a lower learning rate or"
        + " gradient clipping (FitOptions.withGradientClipping)", e.getMessage());
    assertEquals(2, e.history().epochs());
    assertArrayEquals(new double[] {1, 1}, e.history().get("loss"));
    float[] params = model.parameters();
    assertArrayEquals(new float[] {2e20f, 2}, params);
    assertArrayEquals(snapshots.last, params); // as the last successful step left them
  }

  @Test
  void aStepThatWouldOverflowTheWeightsIsNotTakenAndTheWeightsStayAtTheLastFiniteState() {
    // Rate 1e30 on x = 1, y = 2: step 1 (gradient 2 * (0 - 2) = -4 for w and b) gives w = b = 4e30;
    // step 2's loss (8e30 - 2)^2 is finite in double, but its update 1e30 * 2 * (8e30 - 2) = 1.6e61
    // overflows float, so that step is refused and w = b = 4e30 stay.
    float[][] x = {{1}, {1}, {1}};
    float[][] y = {{2}, {2}, {2}};
    ModelCore model = LinearNetwork.model(1, 1, 1e30f);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> model
        .fit(x, y, FitOptions.epochs(1).withBatchSize(1).withVerbose(false)));
    assertEquals(1, e.epoch());
    assertEquals(2, e.batch());
    assertTrue(e.stepRejected());
    double error = (double) (8 * 1e30f) - 2;
    assertEquals(error * error, e.loss());
    assertEquals("training diverged: the optimizer step of epoch 1, batch 2 (loss " + error * error + ") would have"
        + " made some weights or optimizer state non-finite; the step was not taken, so the weights and optimizer"
        + " state are those before it. Try a lower learning rate or gradient clipping"
        + " (FitOptions.withGradientClipping)", e.getMessage());
    assertArrayEquals(new float[] {4 * 1e30f, 4 * 1e30f}, model.parameters());
    assertEquals(1, model.optimizer().iterations());
  }

  @Test
  void theMessageSaysWhenTheWeightsWereAlreadyNonFinite() {
    float[][] x = {{1}};
    float[][] y = {{2}};
    ModelCore model = LinearNetwork.model(1, 1, 0.1f);
    model.setParameters(new float[] {Float.POSITIVE_INFINITY, 0}, true);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> model
        .fit(x, y, FitOptions.epochs(1).withBatchSize(1).withVerbose(false)));
    assertFalse(e.stepRejected());
    assertTrue(e.getMessage().contains("but some weights were already non-finite (set so, or trained with withTerminateOnNaN(false))"), e.getMessage());
  }

  @Test
  void terminationOnNaNCanBeTurnedOff() {
    float[][] x = {{1e20f}, {1e20f}};
    float[][] y = {{1}, {1}};
    History history = LinearNetwork.model(1, 1, 1f).fit(x, y,
        FitOptions.epochs(3).withBatchSize(1).withVerbose(false).withTerminateOnNaN(false));
    assertEquals(3, history.epochs());
    assertFalse(Double.isFinite(history.last("loss")));
  }

  @Test
  void optionsCheckTheirArgumentsAndKeepTheirDefaults() {
    FitOptions defaults = FitOptions.epochs(3);
    assertTrue(defaults.terminatesOnNaN());
    assertEquals(List.of(), defaults.callbacks());
    assertNull(defaults.schedule());
    assertNull(defaults.gradientClipping());
    Callback noOp = new Callback() {};
    FitOptions configured = defaults.withCallbacks(noOp).withGradientClipping(GradientClipping.byNorm(1f))
        .withSchedule(LearningRateSchedule.constant(0.1f), LearningRateSchedule.Unit.EPOCH).withTerminateOnNaN(false);
    assertEquals(List.of(noOp), configured.callbacks());
    assertEquals(LearningRateSchedule.Unit.EPOCH, configured.scheduleUnit());
    assertEquals(GradientClipping.Kind.NORM, configured.gradientClipping().kind());
    assertFalse(configured.terminatesOnNaN());
    assertEquals(List.of(), defaults.callbacks(), "with-methods copy");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> defaults.withCallbacks(noOp, null));
    assertEquals("callback 1 is null", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> defaults.withSchedule(null, LearningRateSchedule.Unit.STEP));
    assertThrows(IllegalArgumentException.class, () -> defaults.withSchedule(LearningRateSchedule.constant(1f), null));
    assertThrows(IllegalArgumentException.class, () -> defaults.withGradientClipping(null));
    e = assertThrows(IllegalArgumentException.class, () -> defaults.withBatchSize(0));
    assertEquals("batchSize must be >= 1, was 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FitOptions.epochs(0));
    assertEquals("epochs must be >= 1, was 0", e.getMessage());
  }

  /**
   * Two fits of one epoch that differ only in the number of samples (so of steps) allocate the same
   * except for the sample-order array (4 bytes a sample): a step allocates nothing, with a per-step
   * schedule, clipping, a batch callback and the NaN check all on.
   */
  @Test
  void aTrainingStepAllocatesNothingWithEverythingOn() {
    ModelCore model = LinearNetwork.model(4, 8, 0.001f);
    Callback batchCallback = new Callback() {
      double sum;

      @Override
      public void onBatchEnd(int epoch, int batch, double loss) {
        sum += loss;
      }
    };
    int small = 2_000;
    int large = 12_000;
    float[][] x = new float[large][4];
    float[][] y = new float[large][1];
    for (int i = 0; i < large; i++) {
      x[i][i % 4] = 1;
      y[i][0] = i % 3;
    }
    float[][] xSmall = java.util.Arrays.copyOf(x, small);
    float[][] ySmall = java.util.Arrays.copyOf(y, small);
    FitOptions options = FitOptions.epochs(1).withBatchSize(8).withVerbose(false).withCallbacks(batchCallback)
        .withSchedule(LearningRateSchedule.cosineDecay(0.001f, 1000, 0f).withWarmUp(100), LearningRateSchedule.Unit.STEP)
        .withGradientClipping(GradientClipping.byNorm(0.5f));
    // Warm up until the JIT has compiled the step; then take the best of a few measurements, so a
    // late compilation cannot fail the test while a real allocation shows in every one.
    for (int i = 0; i < 20; i++) {
      model.fit(x, y, options);
      model.fit(xSmall, ySmall, options);
    }
    long perStep = Long.MAX_VALUE;
    String measured = "";
    for (int attempt = 0; attempt < 5 && Math.abs(perStep) >= 1024; attempt++) {
      long smallBytes = allocatedBy(() -> model.fit(xSmall, ySmall, options));
      long largeBytes = allocatedBy(() -> model.fit(x, y, options));
      perStep = largeBytes - smallBytes - 4L * (large - small);
      measured += " " + smallBytes + " vs " + largeBytes + ";";
    }
    assertTrue(Math.abs(perStep) < 1024,
        "the " + (large - small) / 8 + " extra steps allocated " + perStep + " bytes (" + measured + ")");
  }

  private static long allocatedBy(Runnable call) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    call.run();
    return threads.getThreadAllocatedBytes(thread) - before;
  }

  /** The optimizer's learning rate at every step, read right after the step. */
  static final class RateRecorder implements Callback {
    final List<Double> rates = new ArrayList<>();
    private TrainingContext model;

    @Override
    public void onTrainBegin(TrainingContext model) {
      this.model = model;
    }

    @Override
    public void onBatchEnd(int epoch, int batch, double loss) {
      rates.add((double) model.learningRate());
    }
  }

  /** The parameters after every successful step. */
  static final class BatchSnapshots implements Callback {
    float[] last;
    private TrainingContext model;

    @Override
    public void onTrainBegin(TrainingContext model) {
      this.model = model;
    }

    @Override
    public void onBatchEnd(int epoch, int batch, double loss) {
      last = model.parameters();
    }
  }
}
