package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.data.Dataset;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sample and class weights in training and evaluation, each against an expectation assembled
 * another way: unweighted training, the other kind of weight, training on the weighted rows
 * alone, single-sample losses. The values themselves are checked against PyTorch in {@link
 * WeightedLossPyTorchTest}.
 */
class WeightedTrainingTest {
  /** Three positions of four classes, one class index per position. */
  @dev.kiln.annotations.Network(input = {3, 2}, loss = dev.kiln.annotations.Loss.SPARSE_CATEGORICAL_CROSSENTROPY)
  @dev.kiln.annotations.Sgd(learningRate = 0.1)
  interface SparseSequence {
    @dev.kiln.annotations.Dense(units = 4, activation = dev.kiln.annotations.ActivationFunction.SOFTMAX)
    dev.kiln.runtime.Layer out();
  }

  /** Three positions of four classes, one-hot per position. */
  @dev.kiln.annotations.Network(input = {3, 2}, loss = dev.kiln.annotations.Loss.CATEGORICAL_CROSSENTROPY)
  @dev.kiln.annotations.Sgd(learningRate = 0.1)
  interface OneHotSequence {
    @dev.kiln.annotations.Dense(units = 4, activation = dev.kiln.annotations.ActivationFunction.SOFTMAX)
    dev.kiln.runtime.Layer out();
  }

  private static final FitOptions SHUFFLED = FitOptions.epochs(3).withBatchSize(8).withShuffle(3).withVerbose(false);

  /** {@code samples} rows of {@code inputs} normal values and one-hot rows of {@code classes}. */
  private static float[][][] classification(int samples, int inputs, int classes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] x = new float[samples][inputs];
    float[][] y = new float[samples][classes];
    for (int i = 0; i < samples; i++) {
      for (int j = 0; j < inputs; j++) {
        x[i][j] = (float) (random.nextDouble() * 2 - 1);
      }
      y[i][random.nextInt(classes)] = 1;
    }
    return new float[][][] {x, y};
  }

  private static int argMax(float[] row) {
    int best = 0;
    for (int c = 1; c < row.length; c++) {
      if (row[c] > row[best]) {
        best = c;
      }
    }
    return best;
  }

  @Test
  void weightsOfOneTrainBitForBitAsUnweighted() {
    float[][][] data = classification(20, 4, 3, 1);
    Model unweighted = new FixtureNetworks_NetIrisModel(7, 8);
    Model weighted = new FixtureNetworks_NetIrisModel(7, 8);
    float[] ones = new float[20];
    Arrays.fill(ones, 1f);
    History plain = unweighted.fit(data[0], data[1], SHUFFLED);
    History ofOnes = weighted.fit(data[0], data[1], ones, SHUFFLED);
    assertArrayEquals(unweighted.core().parameters(), weighted.core().parameters());
    assertArrayEquals(plain.get("loss"), ofOnes.get("loss"));
    assertEquals(unweighted.evaluate(data[0], data[1]).loss(), weighted.evaluate(data[0], data[1], ones).loss());
  }

  @Test
  void classWeightsTrainBitForBitAsTheSampleWeightsTheyGive() {
    float[][][] data = classification(20, 4, 3, 2);
    float[] perClass = {1f, 3f, 0.5f};
    float[] perSample = new float[20];
    for (int i = 0; i < 20; i++) {
      perSample[i] = perClass[argMax(data[1][i])];
    }
    Model byClass = new FixtureNetworks_NetIrisModel(7, 8);
    Model bySample = new FixtureNetworks_NetIrisModel(7, 8);
    History classHistory = byClass.fit(data[0], data[1], SHUFFLED.withClassWeights(perClass));
    History sampleHistory = bySample.fit(data[0], data[1], perSample, SHUFFLED);
    assertArrayEquals(bySample.core().parameters(), byClass.core().parameters());
    assertArrayEquals(sampleHistory.get("loss"), classHistory.get("loss"));
  }

  /** Binary cross-entropy with one output: the class is the target rounded, 0.5 going to class 0. */
  @Test
  void binaryClassWeightsFollowTheRoundedTarget() {
    SplittableRandom random = new SplittableRandom(3);
    float[][] x = new float[16][4];
    float[][] y = new float[16][1];
    float[] perSample = new float[16];
    float[] targets = {0f, 1f, 0.5f, 0.75f, 0.25f};
    for (int i = 0; i < 16; i++) {
      for (int j = 0; j < 4; j++) {
        x[i][j] = (float) random.nextGaussian();
      }
      y[i][0] = targets[i % targets.length];
      perSample[i] = y[i][0] > 0.5f ? 4f : 1f;
    }
    Model byClass = new FixtureNetworks_NetAdagradModel(5, 8);
    Model bySample = new FixtureNetworks_NetAdagradModel(5, 8);
    byClass.fit(x, y, SHUFFLED.withClassWeights(Map.of(0, 1.0, 1, 4.0)));
    bySample.fit(x, y, perSample, SHUFFLED);
    assertArrayEquals(bySample.core().parameters(), byClass.core().parameters());
  }

  /**
   * Shuffled full-batch fit with weight 0 on a third of the rows takes the steps of training on
   * the other rows alone with weight 8/12 (the loss still divides by the 12 rows of the batch):
   * the weights moved with their rows.
   */
  @Test
  void zeroWeightRowsContributeNothingAfterShuffling() {
    float[][][] data = classification(12, 4, 3, 4);
    float[] weights = new float[12];
    float[][] keptX = new float[8][];
    float[][] keptY = new float[8][];
    for (int i = 0, kept = 0; i < 12; i++) {
      if (i % 3 != 1) {
        weights[i] = 1f;
        keptX[kept] = data[0][i];
        keptY[kept++] = data[1][i];
      }
    }
    Model shuffled = new FixtureNetworks_NetIrisModel(9, 12);
    shuffled.fit(data[0], data[1], weights, FitOptions.epochs(3).withBatchSize(12).withShuffle(11).withVerbose(false));
    Model alone = new FixtureNetworks_NetIrisModel(9, 12);
    float[] twoThirds = new float[8];
    Arrays.fill(twoThirds, 8f / 12f);
    for (int step = 0; step < 3; step++) {
      alone.trainOnBatch(keptX, keptY, twoThirds);
    }
    Fixture.assertClose(alone.core().parameters(), shuffled.core().parameters(), 1e-5, "parameters");
    Model unweighted = new FixtureNetworks_NetIrisModel(9, 12);
    unweighted.fit(data[0], data[1], FitOptions.epochs(3).withBatchSize(12).withShuffle(11).withVerbose(false));
    assertTrue(maxDifference(unweighted.core().parameters(), alone.core().parameters()) > 1e-3,
        "the zero weights must make a difference for this test to mean something");
  }

  @Test
  void zeroWeightsEverywhereGiveZeroLossAndZeroGradients() {
    float[][][] data = classification(6, 4, 3, 5);
    Model model = new FixtureNetworks_NetIrisModel(3, 8);
    float[] before = model.core().parameters();
    assertEquals(0.0, model.trainOnBatch(data[0], data[1], new float[6]));
    for (float gradient : model.core().gradients()) {
      assertEquals(0f, gradient, 0f);
    }
    assertArrayEquals(before, model.core().parameters());
    assertEquals(0.0, model.evaluate(data[0], data[1], new float[6]).loss());
  }

  /**
   * A sequence output ([3, 2] per sample): a sample's weight applies to each of its steps, so the
   * weighted loss and gradients are the weighted mean of the samples' own.
   */
  @Test
  void sequenceOutputsWeighEverStepOfASample() {
    SplittableRandom random = new SplittableRandom(6);
    int samples = 5;
    float[][] x = new float[samples][15];
    float[][] y = new float[samples][6];
    float[] weights = {0.5f, 2f, 0f, 1f, 1.5f};
    for (int i = 0; i < samples; i++) {
      for (int j = 0; j < 15; j++) {
        x[i][j] = (float) random.nextGaussian();
      }
      for (int j = 0; j < 6; j++) {
        y[i][j] = (float) random.nextGaussian();
      }
    }
    Model model = new GraphFixtureNetworks_NetDenseSeqModel(4, 8);
    double expectedLoss = 0;
    double[] expectedGradients = new double[model.core().parameters().length];
    for (int i = 0; i < samples; i++) {
      double loss = model.core().computeGradients(new float[][] {x[i]}, new float[][] {y[i]});
      expectedLoss += weights[i] * loss / samples;
      float[] gradients = model.core().gradients();
      for (int p = 0; p < gradients.length; p++) {
        expectedGradients[p] += (double) weights[i] * gradients[p] / samples;
      }
    }
    double loss = model.core().computeGradients(x, y, weights);
    assertEquals(expectedLoss, loss, 1e-6 * expectedLoss);
    assertEquals(expectedLoss, model.evaluate(x, y, weights).loss(), 1e-6 * expectedLoss);
    float[] expected = new float[expectedGradients.length];
    for (int p = 0; p < expected.length; p++) {
      expected[p] = (float) expectedGradients[p];
    }
    Fixture.assertClose(expected, model.core().gradients(), 1e-5, "gradients");
  }

  /**
   * A sequence output looks up each position's label: with one class per sample across its
   * positions, class weights train as that class's weight on the sample.
   */
  @Test
  void sequenceClassWeightsFollowEachPositionsLabel() {
    SplittableRandom random = new SplittableRandom(12);
    int samples = 10;
    float[][] x = new float[samples][6];
    float[][] indices = new float[samples][3];
    float[][] oneHot = new float[samples][12];
    float[] perClass = {0.5f, 2f, 1f, 3f};
    float[] perSample = new float[samples];
    for (int i = 0; i < samples; i++) {
      for (int j = 0; j < 6; j++) {
        x[i][j] = (float) random.nextGaussian();
      }
      int label = i % 4;
      perSample[i] = perClass[label];
      for (int t = 0; t < 3; t++) {
        indices[i][t] = label;
        oneHot[i][t * 4 + label] = 1;
      }
    }
    Model sparseByClass = new WeightedTrainingTest_SparseSequenceModel(3, 8);
    Model sparseBySample = new WeightedTrainingTest_SparseSequenceModel(3, 8);
    sparseByClass.fit(x, indices, SHUFFLED.withClassWeights(perClass));
    sparseBySample.fit(x, indices, perSample, SHUFFLED);
    assertArrayEquals(sparseBySample.core().parameters(), sparseByClass.core().parameters());
    Model oneHotByClass = new WeightedTrainingTest_OneHotSequenceModel(3, 8);
    Model oneHotBySample = new WeightedTrainingTest_OneHotSequenceModel(3, 8);
    oneHotByClass.fit(x, oneHot, SHUFFLED.withClassWeights(perClass));
    oneHotBySample.fit(x, oneHot, perSample, SHUFFLED);
    assertArrayEquals(oneHotBySample.core().parameters(), oneHotByClass.core().parameters());
    Model unweighted = new WeightedTrainingTest_OneHotSequenceModel(3, 8);
    unweighted.fit(x, oneHot, SHUFFLED);
    assertTrue(maxDifference(unweighted.core().parameters(), oneHotByClass.core().parameters()) > 1e-3,
        "the class weights must make a difference for this test to mean something");
  }

  /** A sequence's one-hot targets sum to 1 at each step (checked per step, not over the sample). */
  @Test
  void sequenceOneHotTargetsAreCheckedPerStep() {
    Model model = new WeightedTrainingTest_OneHotSequenceModel(3, 8);
    float[][] x = new float[1][6];
    float[][] twoClassesAtStepOne = {{1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1}};
    assertMessage("training target 0 at step 1 sums to 2.0", () -> model.fit(x, twoClassesAtStepOne, SHUFFLED));
  }

  /**
   * Keras: a validation split takes its samples' weights along (a weighted val_loss); class
   * weights are for training only.
   */
  @Test
  void validationSplitKeepsSampleWeightsAndIgnoresClassWeights() {
    float[][][] data = classification(16, 4, 3, 7);
    float[] weights = new float[16];
    for (int i = 0; i < 16; i++) {
      weights[i] = 0.25f * (i % 5);
    }
    Model model = new FixtureNetworks_NetIrisModel(2, 8);
    History history = model.fit(data[0], data[1], weights, FitOptions.epochs(1).withBatchSize(4)
        .withValidationSplit(0.25).withClassWeights(5f, 1f, 0.5f).withVerbose(false));
    float[][] tailX = Arrays.copyOfRange(data[0], 12, 16);
    float[][] tailY = Arrays.copyOfRange(data[1], 12, 16);
    float[] tailWeights = Arrays.copyOfRange(weights, 12, 16);
    double weighted = model.evaluate(tailX, tailY, tailWeights).loss();
    assertEquals(weighted, history.last("val_loss"));
    assertNotEquals(model.evaluate(tailX, tailY).loss(), weighted);

    History unweightedValidation = model.fit(data[0], data[1], weights, FitOptions.epochs(1).withBatchSize(4)
        .withValidation(tailX, tailY).withClassWeights(5f, 1f, 0.5f).withVerbose(false));
    assertEquals(model.evaluate(tailX, tailY).loss(), unweightedValidation.last("val_loss"));
    History weightedValidation = model.fit(data[0], data[1], weights, FitOptions.epochs(1).withBatchSize(4)
        .withValidation(tailX, tailY, tailWeights).withVerbose(false));
    assertEquals(model.evaluate(tailX, tailY, tailWeights).loss(), weightedValidation.last("val_loss"));
  }

  /** A dataset carrying the weights trains as the arrays and weights do, over several shuffled batches. */
  @Test
  void weightedDatasetTrainsBitForBitAsWeightedArrays() {
    float[][][] data = classification(21, 3, 4, 8);
    float[][] labels = new float[21][1];
    float[] weights = new float[21];
    for (int i = 0; i < 21; i++) {
      labels[i][0] = argMax(data[1][i]);
      weights[i] = 0.5f + (i % 4);
    }
    Model fromArrays = new FixtureNetworks_NetSparseModel(1, 8);
    Model fromDataset = new FixtureNetworks_NetSparseModel(1, 8);
    FitOptions options = SHUFFLED.withClassWeights(1f, 2f, 0.5f, 1.5f);
    fromArrays.fit(data[0], labels, weights, options);
    fromDataset.fit(Dataset.of(data[0], labels).withSampleWeights(weights), options);
    assertArrayEquals(fromArrays.core().parameters(), fromDataset.core().parameters());
  }

  // ---------------------------------------------------------------- errors

  @Test
  void sampleWeightsOfTheWrongLengthOrValueAreRejectedByName() {
    float[][][] data = classification(4, 4, 3, 9);
    Model model = new FixtureNetworks_NetIrisModel(1, 8);
    assertMessage("sampleWeights has 3 values for 4 samples",
        () -> model.trainOnBatch(data[0], data[1], new float[3]));
    assertMessage("sampleWeights[2] is -1.0", () -> model.fit(data[0], data[1], new float[] {1, 1, -1, 1}, SHUFFLED));
    assertMessage("sampleWeights[1] is NaN", () -> model.evaluate(data[0], data[1], new float[] {1, Float.NaN, 1, 1}));
    assertMessage("sampleWeights[3] is Infinity",
        () -> model.trainOnBatch(data[0], data[1], new float[] {1, 1, 1, Float.POSITIVE_INFINITY}));
    assertMessage("sampleWeights has 5 values for 4 samples",
        () -> Dataset.of(data[0], data[1]).withSampleWeights(new float[5]));
    assertMessage("validation sampleWeights has 1 values for 4 samples",
        () -> model.fit(data[0], data[1], SHUFFLED.withValidation(data[0], data[1], new float[1])));
  }

  @Test
  void aDatasetsBadWeightIsNamedWhenItsBatchLoads() {
    float[][][] data = classification(4, 4, 3, 10);
    Dataset arrays = Dataset.of(data[0], data[1]);
    Dataset negativeAtTwo = new Dataset() {
      @Override
      public int size() {
        return 4;
      }

      @Override
      public int inputSize(int input) {
        return 4;
      }

      @Override
      public int targetSize() {
        return 3;
      }

      @Override
      public void copyInput(int input, int sample, float[] dest, int offset) {
        arrays.copyInput(input, sample, dest, offset);
      }

      @Override
      public void copyTarget(int sample, float[] dest, int offset) {
        arrays.copyTarget(sample, dest, offset);
      }

      @Override
      public boolean hasSampleWeights() {
        return true;
      }

      @Override
      public float sampleWeight(int sample) {
        return sample == 2 ? -0.5f : 1f;
      }
    };
    Model model = new FixtureNetworks_NetIrisModel(1, 8);
    assertMessage("training sample weight 2 is -0.5", () -> model.fit(negativeAtTwo, SHUFFLED));
  }

  @Test
  void classWeightsThatDoNotFitTheLossAreRejected() {
    float[][][] data = classification(4, 4, 3, 11);
    Model iris = new FixtureNetworks_NetIrisModel(1, 8);
    assertMessage("classWeights has 2 values, NetIris's output has 3 classes",
        () -> iris.fit(data[0], data[1], SHUFFLED.withClassWeights(1f, 2f)));
    assertMessage("classWeights gives a weight for class 3, NetIris's output has 3 classes",
        () -> iris.fit(data[0], data[1], SHUFFLED.withClassWeights(1f, 2f, 1f, 1f)));
    assertMessage("classWeights has no weight for class 1",
        () -> iris.fit(data[0], data[1], SHUFFLED.withClassWeights(Map.of(0, 1.0, 2, 0.5))));
    assertMessage("classWeights[1] is -0.5", () -> SHUFFLED.withClassWeights(1f, -0.5f, 1f));
    assertMessage("classWeights[2] is NaN", () -> SHUFFLED.withClassWeights(Map.of(0, 1.0, 1, 1.0, 2, Double.NaN)));
    assertMessage("classWeights[0] is 1.0E300", () -> SHUFFLED.withClassWeights(Map.of(0, 1e300)));
    Model regression = new FixtureNetworks_NetXorModel(1, 8);
    assertMessage("classWeights need a classification loss",
        () -> regression.fit(new float[][] {{0, 1}}, new float[][] {{1}}, SHUFFLED.withClassWeights(1f, 1f)));
    Model multiLabel = new FixtureNetworks_NetDeepModel(1, 8);
    assertMessage("output has 3 values (multi-label)", () -> multiLabel.fit(new float[][] {{0, 1, 0, 1, 0}},
        new float[][] {{1, 0, 1}}, SHUFFLED.withClassWeights(1f, 1f)));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
  }

  private static double maxDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
