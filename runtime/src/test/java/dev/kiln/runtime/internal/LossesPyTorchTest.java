package dev.kiln.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every loss against PyTorch 1.13 (fixtures/losses.safetensors from make_fixtures.py): the loss
 * within 1e-5 relative and its gradient within 1e-4, including logits of +-60 for the fused forms
 * and label smoothing 0.1 for the cross-entropies.
 */
class LossesPyTorchTest {
  private static final float SMOOTHING = 0.1f;
  private static SafeTensorsFile fixtures;

  @BeforeAll
  static void load() throws Exception {
    fixtures = SafeTensors.read(Path.of(LossesPyTorchTest.class.getResource("/fixtures/losses.safetensors").toURI()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mse", "mae", "bce", "cce", "sparse_cce", "softmax_cce", "sparse_softmax_cce", "sigmoid_bce",
      "softmax_cce_ls", "sparse_softmax_cce_ls", "sigmoid_bce_ls"})
  void lossAndGradientMatchPyTorch(String name) throws Exception {
    long[] shape = fixtures.info(name + ".pred").shape();
    int n = (int) shape[0];
    int width = (int) shape[1];
    float[] pred = fixtures.floats(name + ".pred");
    float[] target = fixtures.floats(name + ".target");
    float[] grad = new float[n * width];
    double loss = compute(name, n, width, pred, target, grad);
    double expected = fixtures.floats(name + ".loss")[0];
    assertEquals(expected, loss, 1e-5 * Math.abs(expected), name + " loss");
    float[] expectedGrad = fixtures.floats(name + ".grad");
    double scale = 0;
    for (float g : expectedGrad) {
      scale = Math.max(scale, Math.abs(g));
    }
    for (int i = 0; i < grad.length; i++) {
      double bound = 1e-4 * Math.max(Math.abs(expectedGrad[i]), 1e-2 * scale);
      assertTrue(Math.abs(grad[i] - expectedGrad[i]) <= bound,
          name + " grad[" + i + "]: expected " + expectedGrad[i] + ", got " + grad[i]);
    }
    // The loss alone (no gradient array) is the same number.
    assertEquals(loss, compute(name, n, width, pred, target, null), 0.0);
  }

  private static double compute(String name, int n, int width, float[] pred, float[] target, float[] grad) {
    switch (name) {
      case "mse":
        return Losses.meanSquaredError(n, width, pred, target, grad);
      case "mae":
        return Losses.meanAbsoluteError(n, width, pred, target, grad);
      case "bce":
        return Losses.binaryCrossEntropy(n, width, pred, target, grad);
      case "cce":
        return Losses.categoricalCrossEntropy(n, width, pred, target, grad);
      case "sparse_cce":
        return Losses.sparseCategoricalCrossEntropy(n, width, pred, target, grad);
      case "softmax_cce":
        return Losses.softmaxCrossEntropy(n, width, 1f, pred, softmax(pred, n, width), target, grad);
      case "sparse_softmax_cce":
        return Losses.sparseSoftmaxCrossEntropy(n, width, 1f, pred, softmax(pred, n, width), target, grad);
      case "sigmoid_bce":
        return Losses.sigmoidBinaryCrossEntropy(n, width, pred, sigmoid(pred), target, grad);
      case "softmax_cce_ls":
        return Losses.softmaxCrossEntropy(n, width, 1f, pred, softmax(pred, n, width), target, SMOOTHING, grad);
      case "sparse_softmax_cce_ls":
        return Losses.sparseSoftmaxCrossEntropy(n, width, 1f, pred, softmax(pred, n, width), target, SMOOTHING, grad);
      case "sigmoid_bce_ls":
        return Losses.sigmoidBinaryCrossEntropy(n, width, pred, sigmoid(pred), target, SMOOTHING, grad);
      default:
        throw new IllegalArgumentException(name);
    }
  }

  /** The probabilities the forward pass would hand the fused losses, computed in double here. */
  private static float[] softmax(float[] z, int n, int width) {
    float[] p = new float[z.length];
    for (int r = 0; r < n; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < width; c++) {
        max = Math.max(max, z[r * width + c]);
      }
      double sum = 0;
      for (int c = 0; c < width; c++) {
        sum += Math.exp(z[r * width + c] - max);
      }
      for (int c = 0; c < width; c++) {
        p[r * width + c] = (float) (Math.exp(z[r * width + c] - max) / sum);
      }
    }
    return p;
  }

  private static float[] sigmoid(float[] z) {
    float[] p = new float[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = (float) (1 / (1 + Math.exp(-z[i])));
    }
    return p;
  }
}
