package dev.kiln.runtime.kernels;

/**
 * Training-time image augmentation on channels-last images [height, width, channels], Keras's
 * {@code RandomFlip}, {@code RandomTranslation} and {@code RandomZoom}.
 *
 * <p><b>Draws.</b> A layer's transform for a sample is a function of the model's augmentation
 * seed, the layer's index and the sample's position k in the training stream (the samples
 * training-mode passes have run since the seed was set, {@link Noise#SAMPLES_SEEN}): its uniforms
 * are SplitMix64 outputs 1, 2 from the state {@code mix(mix(seed + γ (layer + 1)) + γ (k + 1))},
 * each a float in [0, 1) from the top 24 bits, as {@link Noise}'s. So the same samples in batches
 * of 8 or of 64 get the same transforms, and other noise layers (dropout) do not shift them.
 *
 * <p><b>Geometry</b> (Keras 3's {@code affine_transform} through {@code map_coordinates}, its JAX,
 * PyTorch and NumPy backends): output pixel (y, x) samples the input at (sy y + oy, sx x + ox) in
 * pixel-index coordinates. A translation by (dy, dx) pixels has s = 1, o = -d; a zoom z (> 1 zooms
 * out) has s = z and o = (size - 1) / 2 (1 - z), which keeps the centre fixed. Bilinear
 * interpolation weighs the four neighbours floor(c) and floor(c) + 1 of each coordinate; nearest
 * takes rint(c) (ties to even, as {@code torch.round}). Each neighbour's index is then fixed by the
 * fill mode separately (per corner, as map_coordinates does; TensorFlow's
 * ImageProjectiveTransformV3 folds the continuous coordinate instead, which differs within a pixel
 * of the border): REFLECT {@code d c b a | a b c d | d c b a}, WRAP {@code a b c d | a b c d},
 * NEAREST {@code a a | a b c d | d d}, CONSTANT: a neighbour outside the image contributes the fill
 * value.
 *
 * <p>Each layer stores its drawn parameters per sample ({@link #FLIP_VALUES} or {@link
 * #AFFINE_VALUES} floats) for its backward pass, which is the exact transpose: the flip's
 * permutation, the interpolation's weights scattered back. Plain loops: these are gathers, which
 * the Vector API does not speed up on AVX2; nothing is allocated.
 */
public final class Augmentation {
  /** How a sample coordinate outside the image is filled (Keras's {@code fill_mode}). */
  public enum Fill {
    REFLECT, WRAP, CONSTANT, NEAREST
  }

  /** Values per sample a flip stores: horizontal and vertical, each 1 (flipped) or 0. */
  public static final int FLIP_VALUES = 2;
  /** Values per sample a translation or zoom stores: sy, oy, sx, ox. */
  public static final int AFFINE_VALUES = 4;

  private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;

  private Augmentation() {}

  /** The SplitMix64 state whose outputs 1, 2, ... are the draws of {@code layer} for sample {@code k}. */
  static long sampleStream(long seed, int layer, long k) {
    long layerKey = Noise.mix(seed + Noise.GOLDEN_GAMMA * (layer + 1));
    return Noise.mix(layerKey + Noise.GOLDEN_GAMMA * (k + 1));
  }

  /** Draw number {@code draw} (1, 2, ...) of a sample's stream: a float in [0, 1). */
  static float uniform(long stream, int draw) {
    return (Noise.mix(stream + Noise.GOLDEN_GAMMA * draw) >>> 40) * TWO_POW_MINUS_24;
  }

  // ---------------------------------------------------------------- flip

  /**
   * Flips each of {@code n} images left-right when {@code horizontal} and its first draw is < 0.5,
   * and upside down when {@code vertical} and its second draw is < 0.5; {@code drawn} receives
   * the two decisions per sample.
   */
  public static void flip(int n, int height, int width, int channels, boolean horizontal, boolean vertical,
      long[] noise, int layer, float[] x, float[] y, float[] drawn) {
    long seed = noise[Noise.AUGMENTATION_SEED];
    long first = noise[Noise.SAMPLES_SEEN];
    int size = height * width * channels;
    for (int s = 0; s < n; s++) {
      long stream = sampleStream(seed, layer, first + s);
      boolean flipX = horizontal && uniform(stream, 1) < 0.5f;
      boolean flipY = vertical && uniform(stream, 2) < 0.5f;
      drawn[s * FLIP_VALUES] = flipX ? 1f : 0f;
      drawn[s * FLIP_VALUES + 1] = flipY ? 1f : 0f;
      flipImage(height, width, channels, flipX, flipY, x, s * size, y, s * size);
    }
  }

  /** The flip's backward pass: the same permutation (a flip is its own inverse) applied to the gradient. */
  public static void flipBackward(int n, int height, int width, int channels, float[] drawn, float[] dy,
      float[] dx) {
    int size = height * width * channels;
    for (int s = 0; s < n; s++) {
      flipImage(height, width, channels, drawn[s * FLIP_VALUES] != 0f, drawn[s * FLIP_VALUES + 1] != 0f, dy,
          s * size, dx, s * size);
    }
  }

  private static void flipImage(int height, int width, int channels, boolean flipX, boolean flipY, float[] from,
      int fromOff, float[] to, int toOff) {
    int rowSize = width * channels;
    for (int r = 0; r < height; r++) {
      int fromRow = fromOff + (flipY ? height - 1 - r : r) * rowSize;
      int toRow = toOff + r * rowSize;
      if (!flipX) {
        System.arraycopy(from, fromRow, to, toRow, rowSize);
        continue;
      }
      for (int col = 0; col < width; col++) {
        int src = fromRow + (width - 1 - col) * channels;
        int dst = toRow + col * channels;
        for (int c = 0; c < channels; c++) {
          to[dst + c] = from[src + c];
        }
      }
    }
  }

  // ---------------------------------------------------------------- translation and zoom

  /**
   * Draws a translation per sample (Keras's RandomTranslation): height and width factors uniform in
   * [lower, upper] (draws 1 and 2), shifts {@code factor * size} pixels as floats; a positive
   * shift moves the content down or right.
   */
  public static void drawTranslation(int n, int height, int width, double heightLower, double heightUpper,
      double widthLower, double widthUpper, long[] noise, int layer, float[] drawn) {
    long seed = noise[Noise.AUGMENTATION_SEED];
    long first = noise[Noise.SAMPLES_SEEN];
    for (int s = 0; s < n; s++) {
      long stream = sampleStream(seed, layer, first + s);
      float shiftY = (float) (heightLower + uniform(stream, 1) * (heightUpper - heightLower)) * height;
      float shiftX = (float) (widthLower + uniform(stream, 2) * (widthUpper - widthLower)) * width;
      int d = s * AFFINE_VALUES;
      drawn[d] = 1f;
      drawn[d + 1] = -shiftY;
      drawn[d + 2] = 1f;
      drawn[d + 3] = -shiftX;
    }
  }

  /**
   * Draws a zoom per sample (Keras's RandomZoom): zoom factors uniform in [1 + lower, 1 + upper]
   * (draws 1 and 2; with {@code keepAspect} the width takes the height's), about the image's
   * centre; a factor above 1 zooms out.
   */
  public static void drawZoom(int n, int height, int width, double heightLower, double heightUpper,
      double widthLower, double widthUpper, boolean keepAspect, long[] noise, int layer, float[] drawn) {
    long seed = noise[Noise.AUGMENTATION_SEED];
    long first = noise[Noise.SAMPLES_SEEN];
    for (int s = 0; s < n; s++) {
      long stream = sampleStream(seed, layer, first + s);
      float zoomY = (float) ((1 + heightLower) + uniform(stream, 1) * ((1 + heightUpper) - (1 + heightLower)));
      float zoomX = keepAspect ? zoomY
          : (float) ((1 + widthLower) + uniform(stream, 2) * ((1 + widthUpper) - (1 + widthLower)));
      int d = s * AFFINE_VALUES;
      drawn[d] = zoomY;
      drawn[d + 1] = (float) ((height - 1) / 2.0 * (1 - zoomY));
      drawn[d + 2] = zoomX;
      drawn[d + 3] = (float) ((width - 1) / 2.0 * (1 - zoomX));
    }
  }

  /**
   * Resamples each of {@code n} images at the coordinates its {@code drawn} parameters give (see
   * the class comment), bilinear or nearest, with the fill mode outside the image.
   */
  public static void resample(int n, int height, int width, int channels, float[] drawn, Fill fill, float fillValue,
      boolean bilinear, float[] x, float[] y) {
    int size = height * width * channels;
    for (int s = 0; s < n; s++) {
      int d = s * AFFINE_VALUES;
      int base = s * size;
      for (int r = 0; r < height; r++) {
        double cy = (double) drawn[d] * r + drawn[d + 1];
        int y0 = bilinear ? (int) Math.floor(cy) : (int) Math.rint(cy);
        double wy = cy - y0;
        for (int col = 0; col < width; col++) {
          double cx = (double) drawn[d + 2] * col + drawn[d + 3];
          int out = base + (r * width + col) * channels;
          if (!bilinear) {
            int p = pixel(base, height, width, channels, y0, (int) Math.rint(cx), fill);
            for (int c = 0; c < channels; c++) {
              y[out + c] = p < 0 ? fillValue : x[p + c];
            }
            continue;
          }
          int x0 = (int) Math.floor(cx);
          double wx = cx - x0;
          int p00 = pixel(base, height, width, channels, y0, x0, fill);
          int p01 = pixel(base, height, width, channels, y0, x0 + 1, fill);
          int p10 = pixel(base, height, width, channels, y0 + 1, x0, fill);
          int p11 = pixel(base, height, width, channels, y0 + 1, x0 + 1, fill);
          double w00 = (1 - wy) * (1 - wx);
          double w01 = (1 - wy) * wx;
          double w10 = wy * (1 - wx);
          double w11 = wy * wx;
          for (int c = 0; c < channels; c++) {
            y[out + c] = (float) (w00 * value(x, p00, c, fillValue) + w01 * value(x, p01, c, fillValue)
                + w10 * value(x, p10, c, fillValue) + w11 * value(x, p11, c, fillValue));
          }
        }
      }
    }
  }

  /**
   * The resampling's backward pass, its exact transpose: {@code dx} is zeroed, then each output
   * gradient is added to the input pixels it was interpolated from, with the same weights
   * (neighbours outside the image under CONSTANT received the fill value, which has no gradient).
   */
  public static void resampleBackward(int n, int height, int width, int channels, float[] drawn, Fill fill,
      boolean bilinear, float[] dy, float[] dx) {
    int size = height * width * channels;
    java.util.Arrays.fill(dx, 0, n * size, 0f);
    for (int s = 0; s < n; s++) {
      int d = s * AFFINE_VALUES;
      int base = s * size;
      for (int r = 0; r < height; r++) {
        double cy = (double) drawn[d] * r + drawn[d + 1];
        int y0 = bilinear ? (int) Math.floor(cy) : (int) Math.rint(cy);
        double wy = cy - y0;
        for (int col = 0; col < width; col++) {
          double cx = (double) drawn[d + 2] * col + drawn[d + 3];
          int out = base + (r * width + col) * channels;
          if (!bilinear) {
            scatter(dy, out, dx, pixel(base, height, width, channels, y0, (int) Math.rint(cx), fill), 1, channels);
            continue;
          }
          int x0 = (int) Math.floor(cx);
          double wx = cx - x0;
          scatter(dy, out, dx, pixel(base, height, width, channels, y0, x0, fill), (1 - wy) * (1 - wx), channels);
          scatter(dy, out, dx, pixel(base, height, width, channels, y0, x0 + 1, fill), (1 - wy) * wx, channels);
          scatter(dy, out, dx, pixel(base, height, width, channels, y0 + 1, x0, fill), wy * (1 - wx), channels);
          scatter(dy, out, dx, pixel(base, height, width, channels, y0 + 1, x0 + 1, fill), wy * wx, channels);
        }
      }
    }
  }

  /**
   * The offset of input pixel (row, col)'s first channel, its indices fixed by the fill mode; -1
   * for a pixel outside the image under CONSTANT (it reads the fill value).
   */
  private static int pixel(int base, int height, int width, int channels, int row, int col, Fill fill) {
    if (fill == Fill.CONSTANT && (row < 0 || row >= height || col < 0 || col >= width)) {
      return -1;
    }
    return base + (fixIndex(row, height, fill) * width + fixIndex(col, width, fill)) * channels;
  }

  private static float value(float[] x, int pixel, int c, float fillValue) {
    return pixel < 0 ? fillValue : x[pixel + c];
  }

  private static void scatter(float[] dy, int out, float[] dx, int pixel, double weight, int channels) {
    if (pixel < 0 || weight == 0) {
      return;
    }
    for (int c = 0; c < channels; c++) {
      dx[pixel + c] += (float) (weight * dy[out + c]);
    }
  }

  /** An index into [0, size) by the fill mode (CONSTANT's out-of-range indices never get here). */
  static int fixIndex(int i, int size, Fill fill) {
    if (i >= 0 && i < size) {
      return i;
    }
    switch (fill) {
      case REFLECT: {
        int period = 2 * size;
        int m = Math.floorMod(i, period);
        return m < size ? m : period - 1 - m;
      }
      case WRAP:
        return Math.floorMod(i, size);
      default:
        return i < 0 ? 0 : size - 1;
    }
  }
}
