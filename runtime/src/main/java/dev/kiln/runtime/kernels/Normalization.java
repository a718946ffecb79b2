package dev.kiln.runtime.kernels;

/**
 * Batch and layer normalization over row-major [n x w] activations. gamma and beta live in the
 * flat parameter array ({@code gammaOff} or {@code betaOff} of -1 means the layer has none: scale
 * 1, offset 0). Statistics are the mean and biased variance, as in Keras and PyTorch; batch
 * normalization's moving statistics follow Keras: {@code moving = momentum * moving + (1 -
 * momentum) * batch}. The backward passes are the full gradients, through the batch (or row)
 * mean and variance. Plain loops: they are O(n w), next to O(n w k) products, and C2 vectorizes
 * the inner ones.
 */
public final class Normalization {
  private Normalization() {}

  /**
   * Batch normalization in training: normalizes each feature with the batch's statistics, writes
   * x-hat (for backward) and 1/sqrt(var + eps) into {@code stats[w, 2w)}, and updates the moving
   * statistics unless {@code movingMeanOff} is negative (a pass that must leave the network as it
   * was: a GAN's generator step through its discriminator). {@code stats} holds 4w floats of
   * scratch.
   */
  public static void batchNormTraining(int n, int w, float[] x, float[] params, int gammaOff, int betaOff,
      int movingMeanOff, int movingVarOff, float momentum, float epsilon, float[] xhat, float[] stats, float[] y) {
    java.util.Arrays.fill(stats, 0, 2 * w, 0f);
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < w; j++) {
        stats[j] += x[r * w + j];
      }
    }
    float invN = 1f / n;
    for (int j = 0; j < w; j++) {
      stats[j] *= invN; // mean
    }
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < w; j++) {
        float d = x[r * w + j] - stats[j];
        stats[w + j] += d * d;
      }
    }
    float keep = momentum;
    float take = 1f - momentum;
    for (int j = 0; j < w; j++) {
      float variance = stats[w + j] * invN;
      if (movingMeanOff >= 0) {
        params[movingMeanOff + j] = keep * params[movingMeanOff + j] + take * stats[j];
        params[movingVarOff + j] = keep * params[movingVarOff + j] + take * variance;
      }
      stats[w + j] = (float) (1.0 / Math.sqrt(variance + epsilon));
    }
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < w; j++) {
        int i = r * w + j;
        float h = (x[i] - stats[j]) * stats[w + j];
        xhat[i] = h;
        y[i] = scaleShift(params, gammaOff, betaOff, j, h);
      }
    }
  }

  /** Batch normalization at inference: the moving statistics. */
  public static void batchNormInference(int n, int w, float[] x, float[] params, int gammaOff, int betaOff,
      int movingMeanOff, int movingVarOff, float epsilon, float[] stats, float[] y) {
    for (int j = 0; j < w; j++) {
      stats[w + j] = (float) (1.0 / Math.sqrt(params[movingVarOff + j] + epsilon));
    }
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < w; j++) {
        int i = r * w + j;
        float h = (x[i] - params[movingMeanOff + j]) * stats[w + j];
        y[i] = scaleShift(params, gammaOff, betaOff, j, h);
      }
    }
  }

  /**
   * Batch normalization's backward pass: dgamma = sum dy x-hat, dbeta = sum dy (over the batch,
   * into {@code grads}) and, unless {@code dx} is null, dx = gamma invStd / n (n dy - dbeta - x-hat
   * dgamma).
   */
  public static void batchNormBackward(int n, int w, float[] dy, float[] xhat, float[] stats, float[] params,
      int gammaOff, float[] grads, int gammaGradOff, int betaGradOff, float[] dx) {
    int sumDy = 2 * w;
    int sumDyXhat = 3 * w;
    java.util.Arrays.fill(stats, sumDy, 4 * w, 0f);
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < w; j++) {
        int i = r * w + j;
        stats[sumDy + j] += dy[i];
        stats[sumDyXhat + j] += dy[i] * xhat[i];
      }
    }
    for (int j = 0; j < w; j++) {
      if (gammaGradOff >= 0) {
        grads[gammaGradOff + j] = stats[sumDyXhat + j];
      }
      if (betaGradOff >= 0) {
        grads[betaGradOff + j] = stats[sumDy + j];
      }
    }
    if (dx == null) {
      return;
    }
    float invN = 1f / n;
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < w; j++) {
        int i = r * w + j;
        float gamma = gammaOff >= 0 ? params[gammaOff + j] : 1f;
        dx[i] = gamma * stats[w + j] * invN * (n * dy[i] - stats[sumDy + j] - xhat[i] * stats[sumDyXhat + j]);
      }
    }
  }

  /**
   * The backward pass of a frozen batch-norm layer, which ran in inference mode (an affine map per
   * feature): dx = dy * gamma / sqrt(moving variance + epsilon), with 1/std in {@code stats[w..2w)}
   * as {@link #batchNormInference} left it. No parameter gradients (the layer is frozen); nothing
   * to do when {@code dx} is null.
   */
  public static void batchNormFrozenBackward(int n, int w, float[] dy, float[] stats, float[] params, int gammaOff,
      float[] dx) {
    if (dx == null) {
      return;
    }
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < w; j++) {
        int i = r * w + j;
        float gamma = gammaOff >= 0 ? params[gammaOff + j] : 1f;
        dx[i] = dy[i] * gamma * stats[w + j];
      }
    }
  }

  /**
   * Layer normalization: each row normalized over its w features; x-hat and each row's
   * 1/sqrt(var + eps) ({@code invStd[n]}) are kept for backward.
   */
  public static void layerNorm(int n, int w, float[] x, float[] params, int gammaOff, int betaOff, float epsilon,
      float[] xhat, float[] invStd, float[] y) {
    float invW = 1f / w;
    for (int r = 0; r < n; r++) {
      int row = r * w;
      float mean = 0;
      for (int j = 0; j < w; j++) {
        mean += x[row + j];
      }
      mean *= invW;
      float variance = 0;
      for (int j = 0; j < w; j++) {
        float d = x[row + j] - mean;
        variance += d * d;
      }
      float inv = (float) (1.0 / Math.sqrt(variance * invW + epsilon));
      invStd[r] = inv;
      for (int j = 0; j < w; j++) {
        float h = (x[row + j] - mean) * inv;
        xhat[row + j] = h;
        y[row + j] = scaleShift(params, gammaOff, betaOff, j, h);
      }
    }
  }

  /**
   * Layer normalization's backward pass: dgamma and dbeta summed over rows into {@code grads};
   * unless {@code dx} is null, per row dx = invStd / w (w dxhat - sum dxhat - x-hat sum(dxhat
   * x-hat)) with dxhat = dy gamma.
   */
  public static void layerNormBackward(int n, int w, float[] dy, float[] xhat, float[] invStd, float[] params,
      int gammaOff, float[] grads, int gammaGradOff, int betaGradOff, float[] dx) {
    if (gammaGradOff >= 0) {
      java.util.Arrays.fill(grads, gammaGradOff, gammaGradOff + w, 0f);
    }
    if (betaGradOff >= 0) {
      java.util.Arrays.fill(grads, betaGradOff, betaGradOff + w, 0f);
    }
    float invW = 1f / w;
    for (int r = 0; r < n; r++) {
      int row = r * w;
      float sumDxhat = 0;
      float sumDxhatXhat = 0;
      for (int j = 0; j < w; j++) {
        int i = row + j;
        if (gammaGradOff >= 0) {
          grads[gammaGradOff + j] += dy[i] * xhat[i];
        }
        if (betaGradOff >= 0) {
          grads[betaGradOff + j] += dy[i];
        }
        float dxhat = dy[i] * (gammaOff >= 0 ? params[gammaOff + j] : 1f);
        sumDxhat += dxhat;
        sumDxhatXhat += dxhat * xhat[i];
      }
      if (dx == null) {
        continue;
      }
      float scale = invStd[r] * invW;
      for (int j = 0; j < w; j++) {
        int i = row + j;
        float dxhat = dy[i] * (gammaOff >= 0 ? params[gammaOff + j] : 1f);
        dx[i] = scale * (w * dxhat - sumDxhat - xhat[i] * sumDxhatXhat);
      }
    }
  }

  private static float scaleShift(float[] params, int gammaOff, int betaOff, int j, float h) {
    float scaled = gammaOff >= 0 ? params[gammaOff + j] * h : h;
    return betaOff >= 0 ? scaled + params[betaOff + j] : scaled;
  }
}
