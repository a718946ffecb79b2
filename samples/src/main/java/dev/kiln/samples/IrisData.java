package dev.kiln.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The bundled Iris data, prepared as the seed does: an 80/20 split stratified by species with a
 * fixed seed, features standardized with the training set's mean and standard deviation, one-hot
 * targets.
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
    List<float[]> features = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    try (InputStream in = IrisData.class.getResourceAsStream("iris.csv")) {
      if (in == null) {
        throw new IllegalStateException("iris.csv is missing from the samples jar");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#") || line.startsWith("sepal")) {
          continue;
        }
        String[] fields = line.split(",");
        float[] x = new float[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
          x[i] = Float.parseFloat(fields[i]);
        }
        features.add(x);
        labels.add(Integer.parseInt(fields[FEATURES].trim()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(seed);
    for (int c = 0; c < CLASSES; c++) {
      List<Integer> members = new ArrayList<>();
      for (int i = 0; i < labels.size(); i++) {
        if (labels.get(i) == c) {
          members.add(i);
        }
      }
      for (int i = members.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        members.set(i, members.set(j, members.get(i)));
      }
      int testCount = (int) Math.round(members.size() * testFraction);
      test.addAll(members.subList(0, testCount));
      train.addAll(members.subList(testCount, members.size()));
    }
    double[] mean = new double[FEATURES];
    double[] std = new double[FEATURES];
    for (int i : train) {
      for (int f = 0; f < FEATURES; f++) {
        mean[f] += features.get(i)[f] / train.size();
      }
    }
    for (int i : train) {
      for (int f = 0; f < FEATURES; f++) {
        double d = features.get(i)[f] - mean[f];
        std[f] += d * d / train.size();
      }
    }
    for (int f = 0; f < FEATURES; f++) {
      std[f] = Math.sqrt(std[f]);
    }
    return new IrisData(
        standardized(features, train, mean, std), oneHot(labels, train),
        standardized(features, test, mean, std), oneHot(labels, test));
  }

  private static float[][] standardized(List<float[]> features, List<Integer> rows, double[] mean, double[] std) {
    float[][] out = new float[rows.size()][FEATURES];
    for (int r = 0; r < rows.size(); r++) {
      for (int f = 0; f < FEATURES; f++) {
        out[r][f] = (float) ((features.get(rows.get(r))[f] - mean[f]) / std[f]);
      }
    }
    return out;
  }

  private static float[][] oneHot(List<Integer> labels, List<Integer> rows) {
    float[][] out = new float[rows.size()][CLASSES];
    for (int r = 0; r < rows.size(); r++) {
      out[r][labels.get(rows.get(r))] = 1f;
    }
    return out;
  }
}
