package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.runtime.internal.TensorSlice;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a custom training loop reads: the training-mode outputs, per-layer gradients in the public
 * [inputs][units] layout, and batch normalization's moving statistics after a training-mode pass,
 * against PyTorch's numbers (the net_* fixtures) and hand derivations.
 */
class CustomTrainingLoopTest {
  @TempDir Path dir;

  @Test
  void trainingOutputsGivePyTorchsTrainingLossAndMoveTheMovingStatistics() throws Exception {
    Fixture fixture = Fixture.load("net_batchnorm");
    FixtureNetworks_NetBatchNormModel model = new FixtureNetworks_NetBatchNormModel(1);
    fixture.loadInitialWeights(model, dir);
    float[][] x = fixture.matrix("input.x");
    float[][] y = fixture.matrix("input.y");
    float[] before = model.core().parameters();

    float[][] p = model.core().forwardTraining(x);
    // Binary cross-entropy over all elements (probabilities clipped to [1e-7, 1 - 1e-7]) plus the
    // kernel's L2 penalty 0.01 * sum w^2 is PyTorch's training-mode loss.
    double loss = 0;
    for (int r = 0; r < p.length; r++) {
      double q = Math.min(Math.max(p[r][0], 1e-7), 1 - 1e-7);
      loss -= y[r][0] * Math.log(q) + (1 - y[r][0]) * Math.log(1 - q);
    }
    loss /= p.length;
    for (float[] row : model.d().kernel()) {
      for (float w : row) {
        loss += 0.01 * w * w;
      }
    }
    assertEquals(fixture.scalar("expected.loss"), loss, 1e-5 * Math.abs(loss));
    assertFalse(Arrays.equals(Fixture.flatten(model.predict(x)), Fixture.flatten(p)),
        "inference normalizes with the moving statistics, training with the batch's");

    float[] afterForward = model.core().parameters();
    assertMovedOnce(model, x, before, afterForward);
    // computeGradients moves them the same way once more (from where they now are).
    model.core().computeGradients(x, y);
    assertMovedOnce(model, x, afterForward, model.core().parameters());
  }

  @Test
  void layerGradientsArePyTorchsTransposedToInputsByUnits() throws Exception {
    Fixture fixture = Fixture.load("net_batchnorm");
    FixtureNetworks_NetBatchNormModel model = new FixtureNetworks_NetBatchNormModel(1);
    fixture.loadInitialWeights(model, dir);
    assertEquals(0f, model.out().kernelGradient()[3][0], "zeros before any backward pass");
    model.core().computeGradients(fixture.matrix("input.x"), fixture.matrix("input.y"));

    float[] torchD = fixture.file.floats("expected.grad.d.weight"); // [8 units, 5 inputs]
    float[][] d = model.d().kernelGradient();
    assertEquals(5, d.length);
    assertEquals(8, d[0].length);
    float[] transposed = new float[40];
    for (int i = 0; i < 5; i++) {
      for (int u = 0; u < 8; u++) {
        transposed[u * 5 + i] = d[i][u];
      }
    }
    Fixture.assertClose(torchD, transposed, PyTorchReferenceTest.GRADIENT_TOLERANCE, "d kernel gradient");
    Fixture.assertClose(fixture.file.floats("expected.grad.out.bias"), model.out().biasGradient(),
        PyTorchReferenceTest.GRADIENT_TOLERANCE, "out bias gradient");
    // The same numbers as the flat gradients, which hold kernels as [inputs][units] too.
    float[] flat = model.core().gradients();
    assertEquals(flat[model.core().info().layers().get(0).tensors().get(0).offset() + 1 * 8 + 2], d[1][2]);
    assertArrayEquals(model.d().kernelGradient()[4], model.d().kernelGradient()[4], "copies, equal each time");
  }

  @Test
  void dropoutTrainingOutputsGivePyTorchsLossForTheSameMasks() throws Exception {
    Fixture fixture = Fixture.load("net_dropout");
    FixtureNetworks_NetDropoutModel model = new FixtureNetworks_NetDropoutModel(1);
    fixture.loadInitialWeights(model, dir);
    float[][] x = fixture.matrix("input.x");
    float[][] y = fixture.matrix("input.y");
    fixture.seedNoise(model);
    float[][] p = model.core().forwardTraining(x);
    double loss = 0;
    for (int r = 0; r < p.length; r++) {
      for (int c = 0; c < p[r].length; c++) {
        loss -= y[r][c] * Math.log(Math.max(p[r][c], 1e-7));
      }
    }
    loss /= p.length;
    for (float[] row : model.h().kernel()) {
      for (float w : row) {
        loss += 0.001 * Math.abs(w);
      }
    }
    assertEquals(fixture.scalar("expected.loss"), loss, 1e-5 * Math.abs(loss));
    fixture.seedNoise(model);
    assertArrayEquals(Fixture.flatten(p), Fixture.flatten(model.core().forwardTraining(x)), "same seed, same masks");
  }

  /**
   * Keras's rule with momentum 0.9: moving = 0.9 moving + 0.1 batch statistic, the batch's mean and
   * biased variance of d's output x W (computed here in double).
   */
  private static void assertMovedOnce(FixtureNetworks_NetBatchNormModel model, float[][] x, float[] from, float[] to) {
    float[][] w = model.d().kernel();
    TensorSlice mean = slice(model, "bn.running_mean");
    TensorSlice var = slice(model, "bn.running_var");
    for (int u = 0; u < 8; u++) {
      double[] z = new double[x.length];
      double m = 0;
      for (int r = 0; r < x.length; r++) {
        for (int i = 0; i < 5; i++) {
          z[r] += (double) x[r][i] * w[i][u];
        }
        m += z[r] / x.length;
      }
      double v = 0;
      for (double zr : z) {
        v += (zr - m) * (zr - m) / x.length;
      }
      double expectedMean = 0.9 * from[mean.offset() + u] + 0.1 * m;
      double expectedVar = 0.9 * from[var.offset() + u] + 0.1 * v;
      assertEquals(expectedMean, to[mean.offset() + u], 1e-5 * Math.max(1, Math.abs(expectedMean)), "moving mean " + u);
      assertEquals(expectedVar, to[var.offset() + u], 1e-5 * Math.max(1, Math.abs(expectedVar)), "moving var " + u);
    }
  }

  private static TensorSlice slice(FixtureNetworks_NetBatchNormModel model, String name) {
    return model.core().info().layers().stream().flatMap(l -> l.tensors().stream())
        .filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }
}
