package dev.kiln.runtime.data;

import java.util.Objects;

/**
 * Per-feature standardization {@code (x - mean) / std}, fitted on a training set and then applied
 * unchanged to other sets (validation, test, new inputs), so no information leaks from them.
 *
 * <p>{@link #fit} computes each feature's mean and population standard deviation (dividing by
 * {@code n}, not {@code n - 1}) in double precision. A feature that is constant in the training
 * set has standard deviation 0; its scale is set to 1 instead, so it is only centred (becoming 0
 * for the training set) rather than divided by zero. {@link #mean()} and {@link #std()} report the
 * values used, with that substitution applied.
 *
 * <p>NaN and infinite values are rejected everywhere ({@link #fit}, {@link #transform}, {@link
 * #inverse}) with an {@link IllegalArgumentException} naming the row and column: one NaN would
 * otherwise turn a whole feature's mean and scale into NaN and every standardized value of that
 * feature with them. Remove or impute missing values before standardizing.
 */
public final class Standardizer {
  private final double[] mean;
  private final double[] std;

  private Standardizer(double[] mean, double[] std) {
    this.mean = mean;
    this.std = std;
  }

  /**
   * Fits per-feature mean and population standard deviation on {@code rows}.
   *
   * @throws IllegalArgumentException if {@code rows} is empty, has rows of different lengths or
   *     rows of no features, or holds a NaN or infinite value
   * @throws NullPointerException if {@code rows} or one of its rows is null
   */
  public static Standardizer fit(float[][] rows) {
    int features = width(rows, "rows");
    for (int r = 0; r < rows.length; r++) {
      requireFinite(rows[r], "row " + r);
    }
    int n = rows.length;
    double[] mean = new double[features];
    for (float[] row : rows) {
      for (int f = 0; f < features; f++) {
        mean[f] += row[f];
      }
    }
    for (int f = 0; f < features; f++) {
      mean[f] /= n;
    }
    double[] std = new double[features];
    for (float[] row : rows) {
      for (int f = 0; f < features; f++) {
        double d = row[f] - mean[f];
        std[f] += d * d;
      }
    }
    for (int f = 0; f < features; f++) {
      std[f] = Math.sqrt(std[f] / n);
      if (std[f] == 0) {
        std[f] = 1;
      }
    }
    return new Standardizer(mean, std);
  }

  /**
   * A standardizer with given per-feature means and scales (for example saved from an earlier
   * {@link #fit}).
   *
   * @throws IllegalArgumentException if the lengths differ or are 0, or a scale is not a positive
   *     finite number, or a mean is not finite
   */
  public static Standardizer of(double[] mean, double[] std) {
    Objects.requireNonNull(mean, "mean");
    Objects.requireNonNull(std, "std");
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException(
          "mean has " + mean.length + " values and std " + std.length + "; expected equal, > 0");
    }
    for (int f = 0; f < mean.length; f++) {
      if (!Double.isFinite(mean[f]) || !(std[f] > 0) || !Double.isFinite(std[f])) {
        throw new IllegalArgumentException(
            "feature " + f + ": mean " + mean[f] + ", std " + std[f] + " is not usable");
      }
    }
    return new Standardizer(mean.clone(), std.clone());
  }

  /** Number of features. */
  public int features() {
    return mean.length;
  }

  /** The per-feature means, a copy. */
  public double[] mean() {
    return mean.clone();
  }

  /** The per-feature scales (population standard deviation, 1 where it was 0), a copy. */
  public double[] std() {
    return std.clone();
  }

  /**
   * Standardizes {@code rows} into a new array; {@code rows} is left unchanged.
   *
   * @throws IllegalArgumentException if a row's length is not {@link #features()} or a value is
   *     NaN or infinite
   */
  public float[][] transform(float[][] rows) {
    Objects.requireNonNull(rows, "rows");
    for (int r = 0; r < rows.length; r++) {
      checkRow(rows[r], "row " + r);
    }
    float[][] out = new float[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      out[r] = transformRow(rows[r]);
    }
    return out;
  }

  /**
   * Standardizes one row into a new array.
   *
   * @throws IllegalArgumentException if the row's length is not {@link #features()} or a value
   *     is NaN or infinite
   */
  public float[] transform(float[] row) {
    checkRow(row, "row");
    return transformRow(row);
  }

  private void checkRow(float[] row, String what) {
    Objects.requireNonNull(row, what);
    if (row.length != mean.length) {
      throw new IllegalArgumentException(what + " has " + row.length
          + " features, the standardizer was fitted on " + mean.length);
    }
    requireFinite(row, what);
  }

  private static void requireFinite(float[] row, String what) {
    for (int f = 0; f < row.length; f++) {
      if (!Float.isFinite(row[f])) {
        throw new IllegalArgumentException(what + ", column " + f + " is " + row[f]
            + ": NaN and infinite values cannot be standardized");
      }
    }
  }

  private float[] transformRow(float[] row) {
    float[] out = new float[row.length];
    for (int f = 0; f < row.length; f++) {
      out[f] = (float) ((row[f] - mean[f]) / std[f]);
    }
    return out;
  }

  /**
   * Maps standardized values back to the original scale, into a new array.
   *
   * @throws IllegalArgumentException if the row's length is not {@link #features()} or a value
   *     is NaN or infinite
   */
  public float[] inverse(float[] row) {
    checkRow(row, "row");
    float[] out = new float[row.length];
    for (int f = 0; f < row.length; f++) {
      out[f] = (float) (row[f] * std[f] + mean[f]);
    }
    return out;
  }

  static int width(float[][] rows, String what) {
    Objects.requireNonNull(rows, what);
    if (rows.length == 0) {
      throw new IllegalArgumentException(what + " is empty");
    }
    Objects.requireNonNull(rows[0], what + "[0]");
    int width = rows[0].length;
    if (width == 0) {
      throw new IllegalArgumentException(what + " have no features");
    }
    for (int r = 1; r < rows.length; r++) {
      Objects.requireNonNull(rows[r], what + "[" + r + "]");
      if (rows[r].length != width) {
        throw new IllegalArgumentException(what + "[" + r + "] has " + rows[r].length
            + " features, " + what + "[0] has " + width);
      }
    }
    return width;
  }
}
