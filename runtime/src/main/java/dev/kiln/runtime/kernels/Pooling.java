package dev.kiln.runtime.kernels;

import java.util.Arrays;

/**
 * Pooling on channels-last data: input [n, H, W, C], output [n, OH, OW, C]. One instance holds a
 * window geometry (pool size, strides, top/left padding); the global pools are static.
 *
 * <p>Max pooling keeps, per output value, the index in the input buffer of the value it took
 * ({@code argmax}), and the backward pass scatter-adds there. As in PyTorch the first maximum of a
 * window wins (strict {@code >}) and NaN propagates (a NaN is taken, and a later NaN replaces it);
 * padded positions never win. Average pooling divides by the number of positions inside the image
 * (Keras's {@code 'same'}; PyTorch's {@code count_include_pad=False}). Plain loops: pooling is
 * O(n H W C k) with a tiny k, bound by memory.
 */
public final class Pooling {
  private final int height;
  private final int width;
  private final int channels;
  private final int ph;
  private final int pw;
  private final int sh;
  private final int sw;
  private final int padTop;
  private final int padLeft;
  private final int outHeight;
  private final int outWidth;

  public Pooling(int height, int width, int channels, int ph, int pw, int sh, int sw, int padTop, int padLeft,
      int outHeight, int outWidth) {
    if (outHeight < 1 || outWidth < 1 || ph < 1 || pw < 1 || sh < 1 || sw < 1) {
      throw new IllegalArgumentException("bad pooling geometry");
    }
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.ph = ph;
    this.pw = pw;
    this.sh = sh;
    this.sw = sw;
    this.padTop = padTop;
    this.padLeft = padLeft;
    this.outHeight = outHeight;
    this.outWidth = outWidth;
  }

  /** {@code y} = window maxima; {@code argmax} = where each came from in {@code x}. */
  public void maxForward(int n, float[] x, float[] y, int[] argmax) {
    int c = channels;
    for (int b = 0; b < n; b++) {
      for (int oy = 0; oy < outHeight; oy++) {
        int y0 = Math.max(0, oy * sh - padTop);
        int y1 = Math.min(height, oy * sh - padTop + ph);
        for (int ox = 0; ox < outWidth; ox++) {
          int x0 = Math.max(0, ox * sw - padLeft);
          int x1 = Math.min(width, ox * sw - padLeft + pw);
          int out = ((b * outHeight + oy) * outWidth + ox) * c;
          int first = ((b * height + y0) * width + x0) * c;
          for (int ch = 0; ch < c; ch++) {
            y[out + ch] = Float.NEGATIVE_INFINITY;
            argmax[out + ch] = first + ch;
          }
          for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
              int in = ((b * height + iy) * width + ix) * c;
              for (int ch = 0; ch < c; ch++) {
                float v = x[in + ch];
                if (v > y[out + ch] || Float.isNaN(v)) {
                  y[out + ch] = v;
                  argmax[out + ch] = in + ch;
                }
              }
            }
          }
        }
      }
    }
  }

  /** {@code dx} = 0, then each output gradient added at its argmax. */
  public void maxBackward(int n, float[] dy, int[] argmax, float[] dx) {
    Arrays.fill(dx, 0, n * height * width * channels, 0f);
    int count = n * outHeight * outWidth * channels;
    for (int i = 0; i < count; i++) {
      dx[argmax[i]] += dy[i];
    }
  }

  /** {@code y} = window means over the positions inside the image. */
  public void averageForward(int n, float[] x, float[] y) {
    int c = channels;
    for (int b = 0; b < n; b++) {
      for (int oy = 0; oy < outHeight; oy++) {
        int y0 = Math.max(0, oy * sh - padTop);
        int y1 = Math.min(height, oy * sh - padTop + ph);
        for (int ox = 0; ox < outWidth; ox++) {
          int x0 = Math.max(0, ox * sw - padLeft);
          int x1 = Math.min(width, ox * sw - padLeft + pw);
          int out = ((b * outHeight + oy) * outWidth + ox) * c;
          Arrays.fill(y, out, out + c, 0f);
          for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
              int in = ((b * height + iy) * width + ix) * c;
              for (int ch = 0; ch < c; ch++) {
                y[out + ch] += x[in + ch];
              }
            }
          }
          float inv = 1f / ((y1 - y0) * (x1 - x0));
          for (int ch = 0; ch < c; ch++) {
            y[out + ch] *= inv;
          }
        }
      }
    }
  }

  /** {@code dx} = each output gradient spread evenly over its window's positions inside the image. */
  public void averageBackward(int n, float[] dy, float[] dx) {
    int c = channels;
    Arrays.fill(dx, 0, n * height * width * c, 0f);
    for (int b = 0; b < n; b++) {
      for (int oy = 0; oy < outHeight; oy++) {
        int y0 = Math.max(0, oy * sh - padTop);
        int y1 = Math.min(height, oy * sh - padTop + ph);
        for (int ox = 0; ox < outWidth; ox++) {
          int x0 = Math.max(0, ox * sw - padLeft);
          int x1 = Math.min(width, ox * sw - padLeft + pw);
          int out = ((b * outHeight + oy) * outWidth + ox) * c;
          float inv = 1f / ((y1 - y0) * (x1 - x0));
          for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
              int in = ((b * height + iy) * width + ix) * c;
              for (int ch = 0; ch < c; ch++) {
                dx[in + ch] += dy[out + ch] * inv;
              }
            }
          }
        }
      }
    }
  }

  /** {@code y[n x c]} = the mean of each channel over the {@code positions} of a sample. */
  public static void globalAverage(int n, int positions, int c, float[] x, float[] y) {
    float inv = 1f / positions;
    for (int b = 0; b < n; b++) {
      int out = b * c;
      Arrays.fill(y, out, out + c, 0f);
      for (int p = 0; p < positions; p++) {
        int in = (b * positions + p) * c;
        for (int ch = 0; ch < c; ch++) {
          y[out + ch] += x[in + ch];
        }
      }
      for (int ch = 0; ch < c; ch++) {
        y[out + ch] *= inv;
      }
    }
  }

  /** {@code dx} = dy / positions at every position. */
  public static void globalAverageBackward(int n, int positions, int c, float[] dy, float[] dx) {
    float inv = 1f / positions;
    for (int b = 0; b < n; b++) {
      for (int p = 0; p < positions; p++) {
        int in = (b * positions + p) * c;
        for (int ch = 0; ch < c; ch++) {
          dx[in + ch] = dy[b * c + ch] * inv;
        }
      }
    }
  }

  /** {@code y[n x c]} = the maximum of each channel (first wins, NaN propagates), its index in argmax. */
  public static void globalMax(int n, int positions, int c, float[] x, float[] y, int[] argmax) {
    for (int b = 0; b < n; b++) {
      int out = b * c;
      for (int ch = 0; ch < c; ch++) {
        y[out + ch] = Float.NEGATIVE_INFINITY;
        argmax[out + ch] = b * positions * c + ch;
      }
      for (int p = 0; p < positions; p++) {
        int in = (b * positions + p) * c;
        for (int ch = 0; ch < c; ch++) {
          float v = x[in + ch];
          if (v > y[out + ch] || Float.isNaN(v)) {
            y[out + ch] = v;
            argmax[out + ch] = in + ch;
          }
        }
      }
    }
  }

  /** {@code dx} = 0, then each output gradient at its argmax. */
  public static void globalMaxBackward(int n, int positions, int c, float[] dy, int[] argmax, float[] dx) {
    Arrays.fill(dx, 0, n * positions * c, 0f);
    for (int i = 0; i < n * c; i++) {
      dx[argmax[i]] += dy[i];
    }
  }
}
