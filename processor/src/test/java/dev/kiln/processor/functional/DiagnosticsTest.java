package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import org.junit.jupiter.api.Test;

/** Per-layer gradient norms and activation statistics in the history, on request. */
class DiagnosticsTest {
  private static final float[][] X = {{1, 0, 0, 1}, {0, 1, 1, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}};
  private static final float[][] Y = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}};

  @Test
  void diagnosticsMatchTheLastBatchComputedIndependently() {
    FixtureNetworks_NetIrisModel model = new FixtureNetworks_NetIrisModel(1);
    History history = model.fit(X, Y, FitOptions.epochs(2).withBatchSize(4).withoutShuffle().withVerbose(false)
        .withDiagnostics(true));
    assertTrue(history.names().contains("grad_norm/hidden"));
    assertTrue(history.names().contains("dead_fraction/hidden"), "ReLU layer: dead fraction");
    assertFalse(history.names().contains("dead_fraction/output"), "softmax layer: none");

    // Recompute the last epoch's figures from the weights before its step: the epoch's only batch.
    FixtureNetworks_NetIrisModel replay = new FixtureNetworks_NetIrisModel(1);
    replay.fit(X, Y, FitOptions.epochs(1).withBatchSize(4).withoutShuffle().withVerbose(false));
    replay.core().computeGradients(X, Y);
    float[] grads = replay.core().gradients();
    double squares = 0;
    for (int i = 0; i < 4 * 10 + 10; i++) { // hidden.weight then hidden.bias lead the flat array
      squares += (double) grads[i] * grads[i];
    }
    assertEquals(Math.sqrt(squares), history.last("grad_norm/hidden"), 1e-6);

    float[][] hiddenKernel = replay.hidden().kernel();
    float[] hiddenBias = replay.hidden().bias();
    double sum = 0;
    double sumSquares = 0;
    int dead = 0;
    for (float[] x : X) {
      for (int u = 0; u < 10; u++) {
        double z = hiddenBias[u];
        for (int i = 0; i < 4; i++) {
          z += x[i] * hiddenKernel[i][u];
        }
        double a = Math.max(0, z);
        sum += a;
        sumSquares += a * a;
        dead += a <= 0 ? 1 : 0;
      }
    }
    double mean = sum / 40;
    assertEquals(mean, history.last("activation_mean/hidden"), 1e-5);
    assertEquals(Math.sqrt(sumSquares / 40 - mean * mean), history.last("activation_std/hidden"), 1e-5);
    assertEquals(dead / 40.0, history.last("dead_fraction/hidden"), 1e-12);
  }

  @Test
  void offByDefault() {
    History history = new FixtureNetworks_NetIrisModel(1).fit(X, Y, FitOptions.epochs(1).withVerbose(false));
    assertFalse(history.names().stream().anyMatch(n -> n.contains("/")));
  }
}
