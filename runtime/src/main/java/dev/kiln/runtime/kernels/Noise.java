package dev.kiln.runtime.kernels;

/**
 * Dropout masks and Gaussian noise from a SplitMix64 stream whose state lives in the model
 * ({@code long[1]}), so a seed reproduces every mask. The stream is specified exactly (Steele,
 * Lea and Flood's SplitMix64; a uniform float from the top 24 bits), which lets the PyTorch
 * fixture script regenerate the same masks.
 */
public final class Noise {
  /** Slot of a model's noise state ({@code long[STATE_LENGTH]}): the stream dropout and Gaussian noise advance. */
  public static final int STREAM = 0;
  /**
   * Slot of the seed the augmentation layers' per-sample draws derive from ({@code kernels.Augmentation});
   * it stays fixed while training runs.
   */
  public static final int AUGMENTATION_SEED = 1;
  /**
   * Slot counting the samples training-mode forward passes have run since the seed was set: the
   * position in the training stream of the next batch's first sample.
   */
  public static final int SAMPLES_SEEN = 2;
  /** Length of a model's noise state. */
  public static final int STATE_LENGTH = 3;

  static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;

  private Noise() {}

  /**
   * Restarts a model's noise state from {@code seed}: the stream, the augmentation seed and the
   * count of samples seen (0).
   */
  public static void seed(long[] state, long seed) {
    state[STREAM] = seed;
    state[AUGMENTATION_SEED] = seed;
    state[SAMPLES_SEEN] = 0;
  }

  /** The next 64 random bits, advancing {@code state[0]}. */
  static long next(long[] state) {
    return mix(state[0] += GOLDEN_GAMMA);
  }

  /** SplitMix64's output function (Stafford's variant 13). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A uniform float in [0, 1) with 24 random bits. */
  static float uniform(long[] state) {
    return (next(state) >>> 40) * TWO_POW_MINUS_24;
  }

  /**
   * Inverted dropout over {@code n} values: element i is kept when its uniform draw is >= rate and
   * then scaled by 1 / (1 - rate); {@code mask} receives the factor (0 or the scale) for the
   * backward pass.
   */
  public static void dropout(int n, float rate, long[] state, float[] x, int xOff, float[] y, int yOff,
      float[] mask, int maskOff) {
    float scale = (float) (1.0 / (1.0 - rate));
    for (int i = 0; i < n; i++) {
      float m = uniform(state) >= rate ? scale : 0f;
      mask[maskOff + i] = m;
      y[yOff + i] = x[xOff + i] * m;
    }
  }

  /**
   * Spatial dropout over {@code n} images of {@code positions} pixels and {@code channels} channels
   * (channels-last): per sample, one uniform draw per channel in channel order; a channel is kept
   * when its draw is >= rate and then scaled by 1 / (1 - rate) at every position. {@code mask}
   * receives the [n x channels] factors for the backward pass.
   */
  public static void spatialDropout(int n, int positions, int channels, float rate, long[] state, float[] x,
      int xOff, float[] y, int yOff, float[] mask, int maskOff) {
    float scale = (float) (1.0 / (1.0 - rate));
    for (int s = 0; s < n; s++) {
      int m = maskOff + s * channels;
      for (int c = 0; c < channels; c++) {
        mask[m + c] = uniform(state) >= rate ? scale : 0f;
      }
      int base = s * positions * channels;
      for (int p = 0; p < positions; p++) {
        int row = base + p * channels;
        for (int c = 0; c < channels; c++) {
          y[yOff + row + c] = x[xOff + row + c] * mask[m + c];
        }
      }
    }
  }

  /** Spatial dropout's backward pass: {@code dx = dy * mask} with each sample's channel factors at every position. */
  public static void spatialDropoutBackward(int n, int positions, int channels, float[] dy, int dyOff, float[] mask,
      int maskOff, float[] dx, int dxOff) {
    for (int s = 0; s < n; s++) {
      int m = maskOff + s * channels;
      int base = s * positions * channels;
      for (int p = 0; p < positions; p++) {
        int row = base + p * channels;
        for (int c = 0; c < channels; c++) {
          dx[dxOff + row + c] = dy[dyOff + row + c] * mask[m + c];
        }
      }
    }
  }

  /** {@code out = a * b} element-wise (dropout's backward: dx = dy * mask). */
  public static void multiply(int n, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = a[aOff + i] * b[bOff + i];
    }
  }

  /** {@code y = x + stddev * N(0, 1)}, normals by Box-Muller from pairs of uniforms. */
  public static void gaussian(int n, float stddev, long[] state, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i += 2) {
      double u1 = 1.0 - uniform(state); // in (0, 1]: the log is finite
      double u2 = uniform(state);
      double radius = stddev * Math.sqrt(-2 * Math.log(u1));
      double angle = 2 * Math.PI * u2;
      y[yOff + i] = x[xOff + i] + (float) (radius * Math.cos(angle));
      if (i + 1 < n) {
        y[yOff + i + 1] = x[xOff + i + 1] + (float) (radius * Math.sin(angle));
      }
    }
  }
}
