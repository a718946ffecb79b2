package dev.kiln.runtime.internal;

import java.util.SplittableRandom;

/**
 * Weight initializers with Keras's definitions. They draw from a {@link SplittableRandom}, whose
 * algorithm (SplitMix64) is specified, and make normals with our own Box-Muller transform rather
 * than the JDK's {@code nextGaussian} (whose algorithm changed in JDK 17), so a seed gives the same
 * weights on every JVM.
 */
public final class Initializers {
  /** Keras's truncated normal keeps values within 2 standard deviations and rescales by this. */
  private static final double TRUNCATED_STDDEV_CORRECTION = 0.87962566103423978;

  private Initializers() {}

  public static void heNormal(SplittableRandom random, float[] w, int offset, int count, int fanIn) {
    truncatedNormal(random, w, offset, count, Math.sqrt(2.0 / fanIn));
  }

  public static void heUniform(SplittableRandom random, float[] w, int offset, int count, int fanIn) {
    uniform(random, w, offset, count, Math.sqrt(6.0 / fanIn));
  }

  public static void glorotNormal(
      SplittableRandom random, float[] w, int offset, int count, int fanIn, int fanOut) {
    truncatedNormal(random, w, offset, count, Math.sqrt(2.0 / (fanIn + fanOut)));
  }

  public static void glorotUniform(
      SplittableRandom random, float[] w, int offset, int count, int fanIn, int fanOut) {
    uniform(random, w, offset, count, Math.sqrt(6.0 / (fanIn + fanOut)));
  }

  public static void lecunNormal(SplittableRandom random, float[] w, int offset, int count, int fanIn) {
    truncatedNormal(random, w, offset, count, Math.sqrt(1.0 / fanIn));
  }

  /**
   * Keras's {@code Orthogonal} (gain 1) for a [rows x cols] matrix at {@code offset}: draws a normal
   * [max x min] matrix, orthonormalizes its columns (modified Gram-Schmidt in double, which is the
   * QR decomposition's Q with R's diagonal made positive, Keras's sign rule) and writes Q, or Q^T
   * when rows < cols, so that the rows or the columns, whichever are fewer, are orthonormal.
   */
  public static void orthogonal(SplittableRandom random, float[] w, int offset, int rows, int cols) {
    int big = Math.max(rows, cols);
    int small = Math.min(rows, cols);
    double[][] q = new double[small][big]; // column-major: q[column][row]
    for (int r = 0; r < big; r++) {
      for (int c = 0; c < small; c++) {
        q[c][r] = standardNormal(random);
      }
    }
    for (int c = 0; c < small; c++) {
      for (int p = 0; p < c; p++) {
        double dot = 0;
        for (int r = 0; r < big; r++) {
          dot += q[p][r] * q[c][r];
        }
        for (int r = 0; r < big; r++) {
          q[c][r] -= dot * q[p][r];
        }
      }
      double norm = 0;
      for (int r = 0; r < big; r++) {
        norm += q[c][r] * q[c][r];
      }
      norm = Math.sqrt(norm);
      for (int r = 0; r < big; r++) {
        q[c][r] /= norm;
      }
    }
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        w[offset + r * cols + c] = (float) (rows >= cols ? q[c][r] : q[r][c]);
      }
    }
  }

  /** Uniform in [-0.05, 0.05): Keras's {@code RandomUniform()} and its Embedding default. */
  public static void randomUniform(SplittableRandom random, float[] w, int offset, int count) {
    uniform(random, w, offset, count, 0.05);
  }

  public static void constant(float[] w, int offset, int count, float value) {
    java.util.Arrays.fill(w, offset, offset + count, value);
  }

  /** Uniform in [-limit, limit). */
  static void uniform(SplittableRandom random, float[] w, int offset, int count, double limit) {
    for (int i = 0; i < count; i++) {
      w[offset + i] = (float) ((random.nextDouble() * 2 - 1) * limit);
    }
  }

  /** Normal with the given stddev, redrawn outside 2 standard deviations (Keras's truncated normal). */
  static void truncatedNormal(SplittableRandom random, float[] w, int offset, int count, double stddev) {
    double sigma = stddev / TRUNCATED_STDDEV_CORRECTION;
    for (int i = 0; i < count; i++) {
      double z;
      do {
        z = standardNormal(random);
      } while (Math.abs(z) > 2);
      w[offset + i] = (float) (z * sigma);
    }
  }

  /** One standard normal draw (Box-Muller; the second value is discarded to keep the stream simple). */
  static double standardNormal(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble(); // in (0, 1]: log is finite
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
