package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.training.Callback;
import dev.kiln.runtime.training.EarlyStopping;
import dev.kiln.runtime.training.GradientClipping;
import dev.kiln.runtime.training.LearningRateSchedule;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * TrainingControlTest's allocation measurement, in a JVM of its own on the plain-Java kernels
 * ({@code kiln.simd=false}, see the processor's pom). What it checks is the training loop (schedule,
 * clipping, callbacks, NaN check), not the kernels, whose own steady state AllocationTest measures;
 * on the Vector API kernels this tiny network's products and activations were left boxing by C2 in
 * some JVMs (76 bytes to 10 KB a step, constant over every measurement, in the shared JVM and alone),
 * the JIT issue tracked in the performance notes.
 */
class TrainingControlAllocationTest {
  /**
   * Two one-epoch fits that differ only in their number of steps allocate the same but for the
   * 4-byte-a-sample order array: with a per-step schedule, clipping, a batch callback, an epoch
   * callback and the NaN check on, a step allocates nothing.
   */
  @Test
  void aTrainingStepAllocatesNothingWithTrainingControlOn() {
    TrainingControlTest_ClassifierModel model = new TrainingControlTest_ClassifierModel(1, 16);
    model.setLearningRate(1e-4f);
    int small = 1_600;
    int large = 9_600;
    float[][] x = TrainingControlTest.randomInputs(large, 4);
    float[][] y = TrainingControlTest.ruleLabels(x);
    float[][] xSmall = Arrays.copyOf(x, small);
    float[][] ySmall = Arrays.copyOf(y, small);
    Callback batchCallback = new Callback() {
      double sum;

      @Override
      public void onBatchEnd(int epoch, int batch, double loss) {
        sum += loss;
      }
    };
    FitOptions options = FitOptions.epochs(1).withBatchSize(16).withVerbose(false)
        .withSchedule(LearningRateSchedule.cosineDecay(1e-4f, 500, 0f).withWarmUp(50), LearningRateSchedule.Unit.STEP)
        .withGradientClipping(GradientClipping.byNorm(1f))
        .withCallbacks(batchCallback, EarlyStopping.monitoring("loss").withPatience(10));
    // Warm up until the JIT has compiled the step (before that, the interpreter allocates); then
    // take the best of a few measurements, so that a late compilation cannot fail the test, while a
    // real allocation shows up in every one.
    for (int i = 0; i < 30; i++) {
      model.fit(x, y, options);
      model.fit(xSmall, ySmall, options);
    }
    long extra = Long.MAX_VALUE;
    String measured = "";
    for (int attempt = 0; attempt < 5 && Math.abs(extra) >= 1024; attempt++) {
      long smallBytes = TrainingControlTest.allocatedBy(() -> model.fit(xSmall, ySmall, options));
      long largeBytes = TrainingControlTest.allocatedBy(() -> model.fit(x, y, options));
      extra = largeBytes - smallBytes - 4L * (large - small);
      measured += " " + smallBytes + " vs " + largeBytes + ";";
    }
    assertTrue(Math.abs(extra) < 1024, (large - small) / 16 + " extra steps allocated " + extra + " bytes (" + measured + ")");
  }

}
