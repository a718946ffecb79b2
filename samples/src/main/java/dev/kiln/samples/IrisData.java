package dev.kiln.samples;

import dev.kiln.runtime.data.Csv;
import dev.kiln.runtime.data.Splits;
import dev.kiln.runtime.data.Standardizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bundled Iris data, prepared with the runtime's data tools: an 80/20 train/test split
 * stratified by species with a fixed seed (the seed's split), then a stratified validation part
 * taken from the training 80% only, so that choosing epochs or hyperparameters never looks at the
 * test set. Features are standardized with the (remaining) training rows' mean and standard
 * deviation; targets are one-hot.
 */
public final class IrisData {
  public static final int FEATURES = 4;
  public static final int CLASSES = 3;

  public final float[][] trainX;
  public final float[][] trainY;
  public final float[][] validationX;
  public final float[][] validationY;
  public final float[][] testX;
  public final float[][] testY;
  /** Rows of iris.csv (0-based, after the header) in each set, in the order of the arrays above. */
  final int[] trainRows;
  final int[] validationRows;
  final int[] testRows;

  private IrisData(float[][] trainX, float[][] trainY, float[][] validationX, float[][] validationY,
      float[][] testX, float[][] testY, int[] trainRows, int[] validationRows, int[] testRows) {
    this.trainX = trainX;
    this.trainY = trainY;
    this.validationX = validationX;
    this.validationY = validationY;
    this.testX = testX;
    this.testY = testY;
    this.trainRows = trainRows;
    this.validationRows = validationRows;
    this.testRows = testRows;
  }

  /** Loads, splits off the test set and standardizes, with no validation set (all other rows train). */
  public static IrisData load(double testFraction, long seed) {
    return load(testFraction, 0, seed);
  }

  /**
   * Loads, splits and standardizes: {@code testFraction} of each class is the test set, then
   * {@code validationFraction} of each class's remaining rows is the validation set (none when it
   * is 0).
   */
  public static IrisData load(double testFraction, double validationFraction, long seed) {
    Csv.Table table;
    try (InputStream in = IrisData.class.getResourceAsStream("iris.csv")) {
      if (in == null) {
        throw new IllegalStateException("iris.csv is missing from the samples jar");
      }
      table = Csv.read(new InputStreamReader(in, StandardCharsets.UTF_8), "iris.csv", "species");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Splits.Split split = Splits.stratified(table.labels(), testFraction, seed);
    int[] train = split.train();
    int[] validation = new int[0];
    if (validationFraction != 0) {
      // The validation rows come out of the training part: inner's indices point into split.train().
      Splits.Split inner = Splits.stratified(Splits.select(table.labels(), split.train()), validationFraction, seed);
      train = Splits.select(split.train(), inner.train());
      validation = Splits.select(split.train(), inner.test());
    }
    Standardizer standardizer = Standardizer.fit(Splits.select(table.features(), train));
    float[][] oneHot = table.oneHotLabels();
    return new IrisData(
        standardizer.transform(Splits.select(table.features(), train)), Splits.select(oneHot, train),
        standardizer.transform(Splits.select(table.features(), validation)), Splits.select(oneHot, validation),
        standardizer.transform(Splits.select(table.features(), split.test())), Splits.select(oneHot, split.test()),
        train, validation, split.test());
  }
}
