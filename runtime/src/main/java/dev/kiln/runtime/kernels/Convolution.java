package dev.kiln.runtime.kernels;

import java.util.Arrays;

/**
 * One 2-D convolution's geometry and its three passes on channels-last data: input [n, H, W, C],
 * output [n, OH, OW, F], weight stored [kh, kw, C, F] (saved as PyTorch's [F, C, kh, kw]), i.e. a
 * [K x F] matrix with K = kh * kw * C. Any stride, dilation and (top/left) padding; positions
 * outside the image read as 0.
 *
 * <p>The fast path is a blocked, implicit im2col: the patches of a block of output pixels
 * ({@link #blockRows} rows of K values, about 256 KB, L2-resident) are gathered into a scratch
 * buffer and multiplied by the weight with {@link Gemm#ACTIVE}:
 *
 * <ul>
 *   <li>forward: {@code Y[block] = patches · W};
 *   <li>weight gradient: {@code dW += patchesᵀ · dY[block]} (gathered again, nothing is kept);
 *   <li>input gradient: {@code dPatches = dY[block] · Wᵀ}, then scatter-added into dX (col2im).
 * </ul>
 *
 * A 1x1 kernel with stride 1 and no padding multiplies the input directly. Block boundaries depend
 * only on the geometry, never on the batch or thread count, so results are reproducible. The
 * {@code *Reference} methods are the direct loops the tests compare against.
 *
 * <p>Scratch comes from the caller (one buffer of {@link #scratchSize} floats per Program), so a
 * pass allocates nothing. Instances are immutable and shared.
 */
public final class Convolution {
  /** Target scratch per block: 64 Ki floats (256 KB). */
  private static final int BLOCK_FLOATS = 1 << 16;

  private final int height;
  private final int width;
  private final int channels;
  private final int filters;
  private final int kh;
  private final int kw;
  private final int sh;
  private final int sw;
  private final int dh;
  private final int dw;
  private final int padTop;
  private final int padLeft;
  private final int outHeight;
  private final int outWidth;
  private final int k;
  private final int block;
  private final boolean direct;
  private final Gemm gemm;

  /** A convolution computed with {@link Gemm#ACTIVE}. */
  public Convolution(int height, int width, int channels, int filters, int kh, int kw, int sh, int sw, int dh,
      int dw, int padTop, int padLeft, int outHeight, int outWidth) {
    this(height, width, channels, filters, kh, kw, sh, sw, dh, dw, padTop, padLeft, outHeight, outWidth,
        Gemm.ACTIVE);
  }

  Convolution(int height, int width, int channels, int filters, int kh, int kw, int sh, int sw, int dh, int dw,
      int padTop, int padLeft, int outHeight, int outWidth, Gemm gemm) {
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.filters = filters;
    this.kh = kh;
    this.kw = kw;
    this.sh = sh;
    this.sw = sw;
    this.dh = dh;
    this.dw = dw;
    this.padTop = padTop;
    this.padLeft = padLeft;
    this.outHeight = outHeight;
    this.outWidth = outWidth;
    this.k = kh * kw * channels;
    this.block = Math.max(8, (BLOCK_FLOATS / k) / 8 * 8);
    this.direct = kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0
        && outHeight == height && outWidth == width;
    this.gemm = gemm;
    if (outHeight < 1 || outWidth < 1 || k < 1 || filters < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1) {
      throw new IllegalArgumentException("bad convolution geometry");
    }
  }

  /** floor((size + padBefore + padAfter - d (k - 1) - 1) / s) + 1. */
  public static int outputSize(int size, int kernel, int stride, int dilation, int padBefore, int padAfter) {
    return Math.floorDiv(size + padBefore + padAfter - dilation * (kernel - 1) - 1, stride) + 1;
  }

  /** Rows of K per block for batches of up to {@code maxBatch}. */
  public int blockRows(int maxBatch) {
    long pixels = (long) maxBatch * outHeight * outWidth;
    return (int) Math.min(block, pixels);
  }

  /** Floats of scratch a pass needs for batches of up to {@code maxBatch} (0 on the direct path). */
  public int scratchSize(int maxBatch) {
    return direct ? 0 : blockRows(maxBatch) * k;
  }

  /** {@code y[n * OH * OW x F] = conv(x, W)} (overwrites; no bias). */
  public void forward(int n, float[] x, float[] params, int wOff, float[] y, float[] scratch) {
    int pixels = n * outHeight * outWidth;
    if (direct) {
      gemm.gemm(pixels, filters, k, x, 0, k, params, wOff, filters, y, 0, filters, false);
      return;
    }
    for (int p0 = 0; p0 < pixels; p0 += block) {
      int rows = Math.min(block, pixels - p0);
      gather(p0, rows, x, scratch);
      gemm.gemm(rows, filters, k, scratch, 0, k, params, wOff, filters, y, p0 * filters, filters, false);
    }
  }

  /** {@code grads[wOff..] (+)= patchesᵀ · dy}: the weight gradient, stored [K x F]. */
  public void weightGradient(int n, float[] x, float[] dy, float[] grads, int wOff, boolean accumulate,
      float[] scratch) {
    int pixels = n * outHeight * outWidth;
    if (direct) {
      gemm.gemmTransA(k, filters, pixels, x, 0, k, dy, 0, filters, grads, wOff, filters, accumulate);
      return;
    }
    for (int p0 = 0; p0 < pixels; p0 += block) {
      int rows = Math.min(block, pixels - p0);
      gather(p0, rows, x, scratch);
      gemm.gemmTransA(k, filters, rows, scratch, 0, k, dy, p0 * filters, filters, grads, wOff, filters,
          accumulate || p0 > 0);
    }
  }

  /** {@code dx[n * H * W * C] = col2im(dy · Wᵀ)} (overwrites). */
  public void inputGradient(int n, float[] dy, float[] params, int wOff, float[] dx, float[] scratch) {
    int pixels = n * outHeight * outWidth;
    if (direct) {
      gemm.gemmTransB(pixels, k, filters, dy, 0, filters, params, wOff, filters, dx, 0, k, false);
      return;
    }
    Arrays.fill(dx, 0, n * height * width * channels, 0f);
    for (int p0 = 0; p0 < pixels; p0 += block) {
      int rows = Math.min(block, pixels - p0);
      gemm.gemmTransB(rows, k, filters, dy, p0 * filters, filters, params, wOff, filters, scratch, 0, k, false);
      scatter(p0, rows, scratch, dx);
    }
  }

  /** Rows {@code [p0, p0 + rows)} of the im2col matrix into {@code patches}. */
  private void gather(int p0, int rows, float[] x, float[] patches) {
    int plane = outHeight * outWidth;
    int run = kw * channels;
    for (int r = 0; r < rows; r++) {
      int p = p0 + r;
      int b = p / plane;
      int rem = p - b * plane;
      int oy = rem / outWidth;
      int ox = rem - oy * outWidth;
      int x0 = ox * sw - padLeft;
      boolean rowInside = x0 >= 0 && x0 + (kw - 1) * dw < width;
      int dst = r * k;
      for (int ky = 0; ky < kh; ky++, dst += run) {
        int iy = oy * sh - padTop + ky * dh;
        if (iy < 0 || iy >= height) {
          Arrays.fill(patches, dst, dst + run, 0f);
          continue;
        }
        int src = ((b * height + iy) * width) * channels;
        if (rowInside && dw == 1) {
          System.arraycopy(x, src + x0 * channels, patches, dst, run);
          continue;
        }
        for (int kx = 0; kx < kw; kx++) {
          int ix = x0 + kx * dw;
          int to = dst + kx * channels;
          if (ix < 0 || ix >= width) {
            Arrays.fill(patches, to, to + channels, 0f);
          } else {
            System.arraycopy(x, src + ix * channels, patches, to, channels);
          }
        }
      }
    }
  }

  /** Adds rows {@code [p0, p0 + rows)} of a patch gradient back onto the image positions they read. */
  private void scatter(int p0, int rows, float[] patches, float[] dx) {
    int plane = outHeight * outWidth;
    for (int r = 0; r < rows; r++) {
      int p = p0 + r;
      int b = p / plane;
      int rem = p - b * plane;
      int oy = rem / outWidth;
      int ox = rem - oy * outWidth;
      int from = r * k;
      for (int ky = 0; ky < kh; ky++) {
        int iy = oy * sh - padTop + ky * dh;
        if (iy < 0 || iy >= height) {
          from += kw * channels;
          continue;
        }
        int rowBase = ((b * height + iy) * width) * channels;
        for (int kx = 0; kx < kw; kx++, from += channels) {
          int ix = ox * sw - padLeft + kx * dw;
          if (ix < 0 || ix >= width) {
            continue;
          }
          int to = rowBase + ix * channels;
          for (int c = 0; c < channels; c++) {
            dx[to + c] += patches[from + c];
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ reference loops, for tests

  /** Direct loops: {@code y = conv(x, W)}, summed in double. */
  public void forwardReference(int n, float[] x, float[] params, int wOff, float[] y) {
    for (int b = 0; b < n; b++) {
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          for (int f = 0; f < filters; f++) {
            double sum = 0;
            for (int ky = 0; ky < kh; ky++) {
              int iy = oy * sh - padTop + ky * dh;
              for (int kx = 0; kx < kw; kx++) {
                int ix = ox * sw - padLeft + kx * dw;
                if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
                  continue;
                }
                for (int c = 0; c < channels; c++) {
                  sum += (double) x[((b * height + iy) * width + ix) * channels + c]
                      * params[wOff + ((ky * kw + kx) * channels + c) * filters + f];
                }
              }
            }
            y[((b * outHeight + oy) * outWidth + ox) * filters + f] = (float) sum;
          }
        }
      }
    }
  }

  /** Direct loops: the weight gradient (overwrites) and the input gradient (overwrites). */
  public void backwardReference(int n, float[] x, float[] dy, float[] params, int wOff, float[] dw, int dwOff,
      float[] dx) {
    double[] gw = new double[k * filters];
    double[] gx = new double[n * height * width * channels];
    for (int b = 0; b < n; b++) {
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          for (int f = 0; f < filters; f++) {
            double g = dy[((b * outHeight + oy) * outWidth + ox) * filters + f];
            for (int ky = 0; ky < kh; ky++) {
              int iy = oy * sh - padTop + ky * dh;
              for (int kx = 0; kx < kw; kx++) {
                int ix = ox * sw - padLeft + kx * this.dw;
                if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
                  continue;
                }
                for (int c = 0; c < channels; c++) {
                  int xi = ((b * height + iy) * width + ix) * channels + c;
                  int wi = ((ky * kw + kx) * channels + c) * filters + f;
                  gw[wi] += g * x[xi];
                  gx[xi] += g * params[wOff + wi];
                }
              }
            }
          }
        }
      }
    }
    for (int i = 0; i < gw.length; i++) {
      dw[dwOff + i] = (float) gw[i];
    }
    for (int i = 0; i < gx.length; i++) {
      dx[i] = (float) gx[i];
    }
  }
}
