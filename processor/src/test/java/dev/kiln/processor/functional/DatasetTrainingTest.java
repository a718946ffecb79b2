package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training and evaluating from a {@link Dataset}: bit for bit the float[][] path over the same
 * values (arrays, memory-mapped .npy files, a source of the user's own), Keras's validation split,
 * and the checks made as batches load.
 */
class DatasetTrainingTest {
  private static final int SAMPLES = 103; // not a multiple of the batch: a short last batch
  private static final FitOptions OPTIONS =
      FitOptions.epochs(2).withBatchSize(16).withShuffle(7).withVerbose(false);

  @TempDir Path dir;

  /** Inputs of NetSparse (3 values), deterministic. */
  private static float[][] inputs() {
    SplittableRandom random = new SplittableRandom(5);
    float[][] x = new float[SAMPLES][3];
    for (float[] row : x) {
      for (int i = 0; i < 3; i++) {
        row[i] = (float) (random.nextDouble() * 2 - 1);
      }
    }
    return x;
  }

  /** A class index in [0, 4) per sample, as one-value rows. */
  private static float[][] labels(float[][] x) {
    float[][] y = new float[x.length][1];
    for (int r = 0; r < x.length; r++) {
      y[r][0] = (x[r][0] > 0 ? 2 : 0) + (x[r][1] > 0 ? 1 : 0);
    }
    return y;
  }

  @Test
  void aDatasetOverArraysTrainsToTheSameParametersBitForBit() {
    float[][] x = inputs();
    float[][] y = labels(x);
    FixtureNetworks_NetSparseModel arrays = new FixtureNetworks_NetSparseModel(3);
    FixtureNetworks_NetSparseModel dataset = new FixtureNetworks_NetSparseModel(3);
    History fromArrays = arrays.fit(x, y, OPTIONS);
    History fromDataset = dataset.fit(Dataset.of(x, y), OPTIONS);
    assertArrayEquals(arrays.core().parameters(), dataset.core().parameters());
    assertArrayEquals(fromArrays.get("loss"), fromDataset.get("loss"));
    assertArrayEquals(fromArrays.get("accuracy"), fromDataset.get("accuracy"));
    Evaluation a = arrays.evaluate(x, y);
    Evaluation d = dataset.evaluate(Dataset.of(x, y));
    assertEquals(a.loss(), d.loss(), 0.0);
    assertEquals(a.accuracy(), d.accuracy(), 0.0);
  }

  @Test
  void memoryMappedNpyFilesTrainAsTheArraysTheyHold() throws Exception {
    float[][] x = inputs();
    float[][] y = labels(x);
    float[] flat = new float[SAMPLES * 3];
    long[] labels = new long[SAMPLES];
    for (int r = 0; r < SAMPLES; r++) {
      System.arraycopy(x[r], 0, flat, r * 3, 3);
      labels[r] = (long) y[r][0];
    }
    Path xFile = dir.resolve("x.npy");
    Path yFile = dir.resolve("y.npy");
    Npy.writeFloat32(xFile, new int[] {SAMPLES, 3}, flat);
    Npy.writeInt64(yFile, new int[] {SAMPLES}, labels); // rank 1: one class index per sample

    FixtureNetworks_NetSparseModel arrays = new FixtureNetworks_NetSparseModel(3);
    FixtureNetworks_NetSparseModel mapped = new FixtureNetworks_NetSparseModel(3);
    arrays.fit(x, y, OPTIONS);
    Dataset files = Dataset.of(Npy.map(xFile), Npy.map(yFile));
    mapped.fit(files, OPTIONS);
    assertArrayEquals(arrays.core().parameters(), mapped.core().parameters());
    assertEquals(arrays.evaluate(x, y).loss(), mapped.evaluate(files).loss(), 0.0);
  }

  @Test
  void aSourceOfTheUsersOwnIsReadByIndex() {
    float[][] x = inputs();
    float[][] y = labels(x);
    // Computes each sample when asked, from the same generator as inputs(): nothing held but a table.
    Dataset generated = new Dataset() {
      @Override
      public int size() {
        return SAMPLES;
      }

      @Override
      public int inputSize(int input) {
        return 3;
      }

      @Override
      public int targetSize() {
        return 1;
      }

      @Override
      public void copyInput(int input, int sample, float[] dest, int offset) {
        System.arraycopy(x[sample], 0, dest, offset, 3);
      }

      @Override
      public void copyTarget(int sample, float[] dest, int offset) {
        dest[offset] = (x[sample][0] > 0 ? 2 : 0) + (x[sample][1] > 0 ? 1 : 0);
      }
    };
    FixtureNetworks_NetSparseModel arrays = new FixtureNetworks_NetSparseModel(9);
    FixtureNetworks_NetSparseModel own = new FixtureNetworks_NetSparseModel(9);
    arrays.fit(x, y, OPTIONS);
    own.fit(generated, OPTIONS);
    assertArrayEquals(arrays.core().parameters(), own.core().parameters());
  }

  @Test
  void validationSplitHoldsOutTheLastSamplesBeforeShuffling() {
    float[][] x = inputs();
    float[][] y = labels(x);
    // floor(103 * 0.8) = 82 samples train, the last 21 validate (Keras's split_at).
    int cut = 82;
    float[][] xTrain = Arrays.copyOfRange(x, 0, cut);
    float[][] yTrain = Arrays.copyOfRange(y, 0, cut);
    float[][] xVal = Arrays.copyOfRange(x, cut, SAMPLES);
    float[][] yVal = Arrays.copyOfRange(y, cut, SAMPLES);

    FixtureNetworks_NetSparseModel split = new FixtureNetworks_NetSparseModel(4);
    FixtureNetworks_NetSparseModel explicit = new FixtureNetworks_NetSparseModel(4);
    History withSplit = split.fit(x, y, OPTIONS.withValidationSplit(0.2));
    History withData = explicit.fit(xTrain, yTrain, OPTIONS.withValidation(xVal, yVal));
    assertArrayEquals(explicit.core().parameters(), split.core().parameters());
    assertArrayEquals(withData.get("val_loss"), withSplit.get("val_loss"));
    assertEquals(split.evaluate(xVal, yVal).loss(), withSplit.last("val_loss"), 0.0);
    // The same split of a dataset.
    FixtureNetworks_NetSparseModel splitDataset = new FixtureNetworks_NetSparseModel(4);
    splitDataset.fit(Dataset.of(x, y), OPTIONS.withValidationSplit(0.2));
    assertArrayEquals(split.core().parameters(), splitDataset.core().parameters());

    IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
        () -> split.fit(new float[][] {{0, 0, 0}, {1, 1, 1}}, new float[][] {{0}, {1}},
            OPTIONS.withValidationSplit(0.6)));
    assertEquals("validation split 0.6 of 2 samples leaves 0 for training and 2 for validation; each needs at "
        + "least one", tooSmall.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FitOptions.epochs(1).withValidationSplit(1.0));
  }

  @Test
  void datasetValuesAreCheckedAsTheyLoadAndWidthsBeforeTraining() {
    float[][] x = inputs();
    float[][] y = labels(x);
    y[70][0] = 4; // NetSparse has 4 classes: 0..3
    FixtureNetworks_NetSparseModel model = new FixtureNetworks_NetSparseModel(1);
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> model.fit(Dataset.of(x, y), OPTIONS.withoutShuffle()));
    assertEquals("training target 70 is 4.0, expected a class index in [0, 4)", label.getMessage());
    y[70][0] = Float.NaN;
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> model.evaluate(Dataset.of(x, y)));
    assertEquals("evaluation target 70 has NaN at position 0", nan.getMessage());

    IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
        () -> model.fit(Dataset.of(new float[][] {{1, 2}}, new float[][] {{0}}), OPTIONS));
    assertEquals("training dataset has 2 values per sample, the network takes 3", width.getMessage());
    IllegalArgumentException oneHot = assertThrows(IllegalArgumentException.class,
        () -> new FixtureNetworks_NetIrisModel(1).fit(Dataset.of(new float[][] {{1, 2, 3, 4}}, new float[][] {{2}}),
            OPTIONS));
    assertEquals("training dataset has 1 target values per sample, the loss takes 3 (one-hot: "
        + "Dataset.oneHotTargets turns class indices into them)", oneHot.getMessage());
    // oneHotTargets: the same training as one-hot arrays.
    float[][] iris = new float[SAMPLES][4];
    float[][] classes = new float[SAMPLES][1];
    float[][] oneHotRows = new float[SAMPLES][3];
    for (int r = 0; r < SAMPLES; r++) {
      iris[r] = new float[] {x[r][0], x[r][1], x[r][2], x[r][0] * x[r][1]};
      classes[r][0] = r % 3;
      oneHotRows[r][r % 3] = 1;
    }
    FixtureNetworks_NetIrisModel a = new FixtureNetworks_NetIrisModel(2);
    FixtureNetworks_NetIrisModel b = new FixtureNetworks_NetIrisModel(2);
    a.fit(iris, oneHotRows, OPTIONS);
    b.fit(Dataset.of(iris, classes).oneHotTargets(3), OPTIONS);
    assertArrayEquals(a.core().parameters(), b.core().parameters());
  }
}
