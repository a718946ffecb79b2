package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's demo: the seed's XOR and Iris results, with and without SIMD. */
class SamplesTest {
  @Test
  void xorPredictionsRoundToXor() {
    float[][] predictions = Main.xor();
    int[] rounded = new int[4];
    for (int i = 0; i < 4; i++) {
      rounded[i] = Math.round(predictions[i][0]);
    }
    assertEquals(List.of(0, 1, 1, 0), List.of(rounded[0], rounded[1], rounded[2], rounded[3]));
  }

  @Test
  void irisTestAccuracyIsAtLeast93Percent() {
    double accuracy = Main.iris();
    assertTrue(accuracy >= 0.93, "Iris test accuracy " + accuracy);
  }

  @Test
  void fashionMnistMlpReachesTheTargetAccuracy() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.kiln.runtime.data.FashionMnist.isAvailable(),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    double accuracy = Main.fashion();
    assertTrue(accuracy >= 0.87, "Fashion-MNIST test accuracy " + accuracy);
  }

  @Test
  void batchNormClassifierLearnsTheSyntheticRule() {
    assertTrue(Main.batchNorm() >= 0.9, "validation accuracy");
  }

  @Test
  void activationComparisonCoversEveryHiddenActivation() {
    List<ActivationComparison.Result> rows = ActivationComparison.run();
    assertEquals(List.of("sigmoid", "tanh", "relu", "leaky relu", "elu", "selu", "swish", "gelu"),
        rows.stream().map(ActivationComparison.Result::activation).toList());
    for (ActivationComparison.Result row : rows) {
      if (!row.activation().equals("sigmoid")) {
        assertTrue(row.epochsToTarget() > 0, row + " reaches the target");
        assertTrue(row.testAccuracy() >= 0.9, row.toString());
      }
    }
  }

  @Test
  void earlyStoppingStopsAtPatienceAfterTheBestEpoch() {
    dev.kiln.runtime.History history = EarlyStoppingExample.run();
    assertTrue(history.stoppedEpoch() > 0 && history.stoppedEpoch() < 100, "stopped early: " + history);
    assertEquals(history.bestEpoch() + 3, history.stoppedEpoch(), "patience 3 after the best epoch");
    assertTrue(history.bestWeightsRestored());
  }

  @Test
  void irisSplitIsStratified80To20() {
    IrisData data = IrisData.load(0.2, 42);
    assertEquals(120, data.trainX.length);
    assertEquals(30, data.testX.length);
    int[] perClass = new int[3];
    for (float[] y : data.testY) {
      for (int c = 0; c < 3; c++) {
        perClass[c] += (int) y[c];
      }
    }
    assertEquals(List.of(10, 10, 10), List.of(perClass[0], perClass[1], perClass[2]));
    // Standardized with the training set's statistics: mean 0, variance 1 per feature.
    for (int f = 0; f < 4; f++) {
      double mean = 0;
      double square = 0;
      for (float[] x : data.trainX) {
        mean += x[f] / 120.0;
        square += x[f] * x[f] / 120.0;
      }
      assertEquals(0, mean, 1e-5);
      assertEquals(1, square - mean * mean, 1e-4);
    }
  }

  /** Without --add-modules the demo still trains, on the scalar kernels, and says how to enable SIMD. */
  @Test
  void withoutTheVectorModuleTheDemoRunsOnScalarKernels() throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "dev.kiln.samples.Main", "xor").start();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertTrue(process.waitFor(2, TimeUnit.MINUTES));
    String stdout = new String(out, StandardCharsets.UTF_8);
    String stderr = new String(err, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), stdout + stderr);
    assertTrue(stdout.contains("Kiln kernels: scalar"), stdout);
    assertTrue(stdout.contains("Input: [1.0, 0.0] | Raw output:"), stdout);
    assertTrue(stdout.contains("Rounded: 1"), stdout);
    List<String> hints = stderr.lines().filter(l -> l.contains("--add-modules jdk.incubator.vector")).toList();
    assertEquals(1, hints.size(), "exactly one line on how to enable SIMD, stderr was:\n" + stderr);
  }
}
