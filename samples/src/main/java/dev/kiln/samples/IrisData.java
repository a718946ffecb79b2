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
 * The bundled Iris data, prepared as the seed does, with the runtime's data tools: an 80/20 split
 * stratified by species with a fixed seed, features standardized with the training set's mean and
 * standard deviation, one-hot targets.
 */
public final class IrisData {
  public static final int FEATURES = 4;
  public static final int CLASSES = 3;

  public final float[][] trainX;
  public final float[][] trainY;
  public final float[][] testX;
  public final float[][] testY;

  private IrisData(float[][] trainX, float[][] trainY, float[][] testX, float[][] testY) {
    this.trainX = trainX;
    this.trainY = trainY;
    this.testX = testX;
    this.testY = testY;
  }

  /** Loads, splits (stratified, {@code testFraction} per class) and standardizes. */
  public static IrisData load(double testFraction, long seed) {
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
    Standardizer standardizer = Standardizer.fit(Splits.select(table.features(), split.train()));
    float[][] oneHot = table.oneHotLabels();
    return new IrisData(
        standardizer.transform(Splits.select(table.features(), split.train())), Splits.select(oneHot, split.train()),
        standardizer.transform(Splits.select(table.features(), split.test())), Splits.select(oneHot, split.test()));
  }
}
