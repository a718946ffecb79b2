package dev.kiln.runtime.internal;

import java.util.List;
import java.util.Map;

/**
 * Per-layer training diagnostics (see {@code FitOptions.withDiagnostics}), captured from one
 * batch into preallocated arrays so that training steps still allocate nothing.
 */
public final class Diagnostics {
  private final List<LayerInfo> layers;
  private final double[] gradientNorm;
  private final double[] activationMean;
  private final double[] activationStd;
  private final double[] deadFraction;

  public Diagnostics(NetworkInfo info) {
    this.layers = info.layers();
    int count = layers.size();
    gradientNorm = new double[count];
    activationMean = new double[count];
    activationStd = new double[count];
    deadFraction = new double[count];
  }

  /** Reads the gradients and every layer's output of the batch just run (n rows). */
  public void capture(CompiledNetwork net, int n) {
    for (int l = 0; l < layers.size(); l++) {
      LayerInfo layer = layers.get(l);
      double squares = 0;
      for (TensorSlice t : layer.tensors()) {
        if (t.trainable()) {
          for (int i = t.offset(); i < t.offset() + t.size(); i++) {
            squares += (double) net.grads[i] * net.grads[i];
          }
        }
      }
      gradientNorm[l] = Math.sqrt(squares);
      float[] out = net.layerOutput(l);
      int count = n * width(layer);
      double sum = 0;
      double sumSquares = 0;
      int dead = 0;
      for (int i = 0; i < count; i++) {
        float v = out[i];
        sum += v;
        sumSquares += (double) v * v;
        dead += v <= 0 ? 1 : 0;
      }
      double mean = sum / count;
      activationMean[l] = mean;
      activationStd[l] = Math.sqrt(Math.max(0, sumSquares / count - mean * mean));
      deadFraction[l] = dead / (double) count;
    }
  }

  /** Adds the captured values to one epoch's history entries. */
  public void record(Map<String, Double> epoch) {
    for (int l = 0; l < layers.size(); l++) {
      LayerInfo layer = layers.get(l);
      if (layer.parameterCount() > 0) {
        epoch.put("grad_norm/" + layer.name(), gradientNorm[l]);
      }
      epoch.put("activation_mean/" + layer.name(), activationMean[l]);
      epoch.put("activation_std/" + layer.name(), activationStd[l]);
      if (layer.activation().equals("relu") || layer.activation().equals("leaky_relu")) {
        epoch.put("dead_fraction/" + layer.name(), deadFraction[l]);
      }
    }
  }

  private static int width(LayerInfo layer) {
    int width = 1;
    for (int d : layer.outputShape().toArray()) {
      width *= d;
    }
    return width;
  }
}
