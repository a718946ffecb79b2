package dev.kiln.runtime.internal;

import dev.kiln.runtime.Layer;
import dev.kiln.runtime.Shape;

/** {@link Layer} over a layer's slices of the model's flat parameter array. */
public final class LayerHandle implements Layer {
  private final LayerInfo info;
  private final float[] params;
  private final float[] grads;
  private final ParameterLayout layout;

  public LayerHandle(LayerInfo info, float[] params, float[] grads, ParameterLayout layout) {
    this.info = info;
    this.params = params;
    this.grads = grads;
    this.layout = layout;
  }

  @Override
  public boolean trainable() {
    return layout.isTrainable(info.name()) && info.trainableParameterCount() > 0;
  }

  @Override
  public void setTrainable(boolean trainable) {
    layout.setTrainable(info.name(), trainable);
  }

  @Override
  public void setLearningRateMultiplier(float multiplier) {
    layout.setLearningRateMultiplier(info.name(), multiplier);
  }

  @Override
  public float learningRateMultiplier() {
    return layout.learningRateMultiplier(info.name());
  }

  @Override
  public String name() {
    return info.name();
  }

  @Override
  public String type() {
    return info.type();
  }

  @Override
  public Shape outputShape() {
    return info.outputShape();
  }

  @Override
  public int parameterCount() {
    return info.parameterCount();
  }

  @Override
  public float[][] kernel() {
    return kernel(params);
  }

  @Override
  public float[][] kernelGradient() {
    return kernel(grads);
  }

  @Override
  public float[] bias() {
    return bias(params);
  }

  @Override
  public float[] biasGradient() {
    return bias(grads);
  }

  private float[][] kernel(float[] params) {
    TensorSlice kernel = tensor(".weight");
    int[] shape = matrixShape(kernel); // {units, inputs}: the flat array holds [inputs][units]
    float[][] out = new float[shape[1]][shape[0]];
    for (int i = 0; i < shape[1]; i++) {
      System.arraycopy(params, kernel.offset() + i * shape[0], out[i], 0, shape[0]);
    }
    return out;
  }

  private float[] bias(float[] params) {
    TensorSlice bias = tensor(".bias");
    float[] out = new float[bias.size()];
    System.arraycopy(params, bias.offset(), out, 0, out.length);
    return out;
  }

  @Override
  public void setKernel(float[][] kernel) {
    java.util.Objects.requireNonNull(kernel, "kernel");
    TensorSlice slice = tensor(".weight");
    int[] shape = matrixShape(slice);
    if (kernel.length != shape[1]) {
      throw new IllegalArgumentException(
          "layer '" + name() + "' kernel has " + shape[1] + " rows (inputs), got " + kernel.length);
    }
    for (int i = 0; i < kernel.length; i++) {
      if (kernel[i] == null || kernel[i].length != shape[0]) {
        throw new IllegalArgumentException(
            "layer '" + name() + "' kernel row " + i + " must have " + shape[0] + " values (units), got "
                + (kernel[i] == null ? "null" : kernel[i].length));
      }
      requireFinite(kernel[i], "kernel[" + i + "]");
    }
    for (int i = 0; i < kernel.length; i++) {
      System.arraycopy(kernel[i], 0, params, slice.offset() + i * shape[0], shape[0]);
    }
    layout.parametersChanged();
  }

  /**
   * {units, inputs} of a kernel stored as an [inputs x units] matrix: a Dense weight (stored [in,
   * units]), one after a Flatten (stored [H, W, C, units]) or a Conv2D weight (stored [kh, kw, C,
   * filters], Keras's kernel layout flattened to [kh * kw * C][filters]).
   */
  private static int[] matrixShape(TensorSlice kernel) {
    int[] stored = kernel.storedShape();
    int units = stored[stored.length - 1];
    return new int[] {units, kernel.size() / units};
  }

  @Override
  public void setBias(float[] bias) {
    java.util.Objects.requireNonNull(bias, "bias");
    TensorSlice slice = tensor(".bias");
    if (bias.length != slice.size()) {
      throw new IllegalArgumentException(
          "layer '" + name() + "' bias has " + slice.size() + " values, got " + bias.length);
    }
    requireFinite(bias, "bias");
    System.arraycopy(bias, 0, params, slice.offset(), bias.length);
    layout.parametersChanged();
  }

  /** NaN and infinity are refused (ModelCore.setParameters(values, true) is the way to set them). */
  private void requireFinite(float[] values, String what) {
    for (int j = 0; j < values.length; j++) {
      if (!Float.isFinite(values[j])) {
        throw new IllegalArgumentException("layer '" + name() + "' " + what + "[" + j + "] is " + values[j]
            + "; weights must be finite (ModelCore.setParameters(values, true) accepts NaN and infinity)");
      }
    }
  }

  private TensorSlice tensor(String suffix) {
    for (TensorSlice t : info.tensors()) {
      if (t.name().equals(name() + suffix)) {
        return t;
      }
    }
    throw new IllegalStateException(
        "layer '" + name() + "' (" + type() + ") has no " + suffix.substring(1) + " tensor");
  }

  @Override
  public String toString() {
    return name() + " (" + type() + ")";
  }
}
