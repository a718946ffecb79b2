package dev.kiln.processor.functional;

import static dev.kiln.processor.functional.AllocationTest.assertAllocatesNothing;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.training.Callback;
import dev.kiln.runtime.training.EarlyStopping;
import dev.kiln.runtime.training.GradientClipping;
import dev.kiln.runtime.training.LearningRateSchedule;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Allocation of what surrounds the kernels — training control, streaming from a mapped dataset, the
 * augmentation layers' training step and input gradient — in a JVM of its own on the plain-Java
 * kernels ({@code kiln.simd=false}, see the processor's pom). The Vector API kernels' own steady
 * state is AllocationTest's and ConvNetworksTest's to measure; on them, C2 left these tiny networks'
 * products and activations (kernel8x1, relu, reluBackward) boxing in some JVMs (76 bytes to 16 KB a
 * step, constant over every measurement, alone and in the shared JVM), the JIT issue tracked in the
 * performance notes.
 */
class TrainingLoopAllocationTest {
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


  /**
   * fit from memory-mapped files: the same samples in 2,000 steps of 1 or 2 steps of 1,000
   * allocate the same (per-fit and per-epoch work only), so a step reading a mapped dataset
   * allocates nothing.
   */
  @Test
  void trainingStepsFromAMappedDatasetAllocateNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    int samples = 2_000;
    float[] x = new float[samples * 3];
    long[] labels = new long[samples];
    for (int i = 0; i < samples; i++) {
      x[3 * i + i % 3] = 1;
      labels[i] = i % 4;
    }
    dev.kiln.runtime.data.Npy.writeFloat32(dir.resolve("x.npy"), new int[] {samples, 3}, x);
    dev.kiln.runtime.data.Npy.writeInt64(dir.resolve("y.npy"), new int[] {samples}, labels);
    dev.kiln.runtime.data.Dataset data = dev.kiln.runtime.data.Dataset.of(
        dev.kiln.runtime.data.Npy.map(dir.resolve("x.npy")), dev.kiln.runtime.data.Npy.map(dir.resolve("y.npy")));
    FixtureNetworks_NetSparseModel model = new FixtureNetworks_NetSparseModel(1, 1_000);
    dev.kiln.runtime.FitOptions manySteps = dev.kiln.runtime.FitOptions.epochs(1).withBatchSize(1).withVerbose(false);
    dev.kiln.runtime.FitOptions fewSteps = manySteps.withBatchSize(1_000);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long many = 0;
    long few = 0;
    // Until the JIT reaches steady state (escape analysis in compiled code): slower on a loaded
    // machine, so rounds go on until the difference vanishes or 40 rounds (80,000 steps) pass.
    for (int round = 0; round < 40; round++) {
      long start = threads.getThreadAllocatedBytes(thread);
      model.fit(data, manySteps);
      long middle = threads.getThreadAllocatedBytes(thread);
      model.fit(data, fewSteps);
      many = middle - start;
      few = threads.getThreadAllocatedBytes(thread) - middle;
      if (round >= 4 && many - few < 1024) {
        break;
      }
    }
    assertTrue(many - few < 1024, "2,000 steps allocated " + many + " bytes, 2 steps " + few);
  }
  @Test
  void augmentedTrainingStepAndInputGradientAllocateNothing() {
    ConvNetworksTest_AugmentedCnnModel model = new ConvNetworksTest_AugmentedCnnModel(1, 8);
    float[][] x = new float[8][90];
    float[][] y = new float[8][3];
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < 90; j++) {
        x[i][j] = (float) Math.sin(i * 17 + j);
      }
      y[i][i % 3] = 1;
    }
    assertAllocatesNothing(() -> model.trainOnBatch(x, y), 2_000);
    float[][] inputGradient = new float[8][90];
    assertAllocatesNothing(() -> model.core().backwardToInput(x, y, inputGradient), 2_000);
    float[] out = new float[3];
    assertAllocatesNothing(() -> model.predict(x[1], out), 10_000);
  }}
