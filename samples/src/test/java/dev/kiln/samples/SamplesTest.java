package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  /** 80/20 train/test, then the validation rows come out of the training 80%: no row is in two sets. */
  @Test
  void irisSplitIsStratifiedAndValidatesOnTrainingRowsOnly() {
    IrisData data = IrisData.load(0.2, 0.2, 42);
    assertEquals(96, data.trainX.length);
    assertEquals(24, data.validationX.length);
    assertEquals(30, data.testX.length);
    assertEquals(List.of(32, 32, 32), perClass(data.trainY));
    assertEquals(List.of(8, 8, 8), perClass(data.validationY));
    assertEquals(List.of(10, 10, 10), perClass(data.testY));
    // The test set is the one the seed's 80/20 split chose.
    IrisData seedSplit = IrisData.load(0.2, 42);
    assertEquals(120, seedSplit.trainX.length);
    assertEquals(0, seedSplit.validationX.length);
    assertArrayEquals(seedSplit.testRows, data.testRows);
    // Every one of the 150 rows in exactly one set.
    int[] all = java.util.stream.IntStream.concat(java.util.stream.IntStream.concat(
        java.util.Arrays.stream(data.trainRows), java.util.Arrays.stream(data.validationRows)),
        java.util.Arrays.stream(data.testRows)).sorted().toArray();
    assertArrayEquals(java.util.stream.IntStream.range(0, 150).toArray(), all);
    // Standardized with the training rows' statistics: mean 0, variance 1 per feature.
    for (int f = 0; f < 4; f++) {
      double mean = 0;
      double square = 0;
      for (float[] x : data.trainX) {
        mean += x[f] / 96.0;
        square += x[f] * x[f] / 96.0;
      }
      assertEquals(0, mean, 1e-5);
      assertEquals(1, square - mean * mean, 1e-4);
    }
  }

  private static List<Integer> perClass(float[][] oneHot) {
    int[] counts = new int[3];
    for (float[] y : oneHot) {
      for (int c = 0; c < 3; c++) {
        counts[c] += (int) y[c];
      }
    }
    return List.of(counts[0], counts[1], counts[2]);
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

  /** {@code fashion} without the data set: exit status 3 and a message saying what to install or where to point. */
  @Test
  void fashionWithoutDataExitsNonZeroAndSaysWhatToDo(@TempDir Path empty) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "dev.kiln.samples.Main", "--data", empty.toString(), "fashion").start();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertTrue(process.waitFor(2, TimeUnit.MINUTES));
    String stdout = new String(out, StandardCharsets.UTF_8);
    String stderr = new String(err, StandardCharsets.UTF_8);
    assertEquals(Main.EXIT_NO_DATA, process.exitValue(), stdout + stderr);
    assertEquals(3, Main.EXIT_NO_DATA);
    assertTrue(stderr.contains("Fashion-MNIST not found in " + empty + " (given with --data)."), stderr);
    assertTrue(stderr.contains("install it with `sudo apt-get install dataset-fashion-mnist` (into "
        + "/usr/share/datasets/fashion-mnist)"), stderr);
    assertTrue(stderr.contains("or pass --data DIR naming any folder that holds the four IDX files "
        + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"), stderr);
    assertTrue(!stdout.contains("--- Fashion-MNIST"), stdout);
  }

  /** {@code all} without the data set still runs XOR and Iris, then exits 3 saying the main demo did not run. */
  @Test
  void allWithoutDataRunsTheBundledDemosAndExitsNonZero(@TempDir Path empty) throws Exception {
    String[] output = new String[2];
    int status = runCapturing(output, "--data", empty.toString(), "all");
    assertEquals(3, status, output[0] + output[1]);
    assertTrue(output[0].contains("--- XOR: model architecture ---"), output[0]);
    assertTrue(output[0].contains("Iris test loss"), output[0]);
    assertTrue(output[1].contains("The main demo (Fashion-MNIST) did not run. Fashion-MNIST not found in " + empty),
        output[1]);
  }

  /** {@code --data DIR} reads the four IDX files from any folder: here a small learnable set written by the test. */
  @Test
  void dataOptionReadsFashionMnistFromAnyDirectory(@TempDir Path dir) throws Exception {
    writeIdx(dir, "train", 1280, 1);
    writeIdx(dir, "t10k", 200, 2);
    String[] output = new String[2];
    int status = runCapturing(output, "fashion", "--data", dir.toString());
    assertEquals(0, status, output[0] + output[1]);
    assertTrue(output[0].contains("--- Fashion-MNIST: 1280 training and 200 test images"), output[0]);
    Matcher accuracy = Pattern.compile("Fashion-MNIST test loss [0-9.]+, test accuracy ([0-9.]+)").matcher(output[0]);
    assertTrue(accuracy.find(), output[0]);
    assertTrue(Double.parseDouble(accuracy.group(1)) >= 0.95, output[0]);
    assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), Main.dataDirectory(), "--data lasts one run");
  }

  /** Runs the demo in this JVM; output[0] and output[1] receive stdout and stderr. */
  static int runCapturing(String[] output, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Main.run(args);
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
      output[0] = out.toString(StandardCharsets.UTF_8);
      output[1] = err.toString(StandardCharsets.UTF_8);
      originalOut.print(output[0]);
      originalErr.print(output[1]);
    }
  }

  /**
   * Writes {@code prefix-images-idx3-ubyte} and {@code prefix-labels-idx1-ubyte}: image i has label
   * i % 10, and rows 2 * label to 2 * label + 2 bright over seeded dim noise.
   */
  static void writeIdx(Path dir, String prefix, int count, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    try (DataOutputStream images = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte")));
        DataOutputStream labels = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
      images.writeInt(0x803);
      images.writeInt(count);
      images.writeInt(28);
      images.writeInt(28);
      labels.writeInt(0x801);
      labels.writeInt(count);
      for (int i = 0; i < count; i++) {
        int label = i % 10;
        labels.writeByte(label);
        for (int row = 0; row < 28; row++) {
          for (int column = 0; column < 28; column++) {
            boolean bright = row >= 2 * label && row < 2 * label + 3;
            images.writeByte(bright ? 200 + random.nextInt(56) : random.nextInt(60));
          }
        }
      }
    }
  }
}
