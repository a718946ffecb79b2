package dev.kiln.runtime.training;

import dev.kiln.runtime.internal.Accuracy;
import dev.kiln.runtime.internal.CompiledNetwork;
import dev.kiln.runtime.internal.LayerInfo;
import dev.kiln.runtime.ModelCore;
import dev.kiln.runtime.internal.NetworkInfo;
import dev.kiln.runtime.Shape;
import dev.kiln.runtime.internal.TensorSlice;
import dev.kiln.runtime.optim.Optimizers;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A hand-written stand-in for a generated network, so the runtime's training control can be tested
 * without the processor: one linear unit {@code y = x . w + b} with mean squared error. Parameters
 * are {@code [w_0 .. w_{d-1}, b]} (two tensors), initialized to zero, and the update is plain SGD,
 * so every value a test expects follows from a line of algebra.
 */
final class LinearNetwork extends CompiledNetwork {
  private final NetworkInfo info;
  private final int inputs;
  private final float[] out;

  LinearNetwork(int inputs, int maxBatch) {
    this(info(inputs), maxBatch);
  }

  private LinearNetwork(NetworkInfo info, int maxBatch) {
    super(info, maxBatch);
    this.info = info;
    this.inputs = info.inputSize();
    this.out = new float[maxBatch];
  }

  static NetworkInfo info(int inputs) {
    return new NetworkInfo("Linear", Shape.of(inputs), 1, 1, "mean_squared_error", Accuracy.NONE,
        List.of(new LayerInfo("dense", "Dense", Shape.of(1), List.of(), List.of(
            new TensorSlice("dense.weight", 0, new int[] {1, inputs}),
            new TensorSlice("dense.bias", inputs, new int[] {1})), "linear")));
  }

  /** A model over this network with SGD at {@code learningRate}. */
  static ModelCore model(int inputs, int maxBatch, float learningRate) {
    LinearNetwork net = new LinearNetwork(inputs, maxBatch);
    return new ModelCore(net, Optimizers.sgd(net.info.parameterCount(), learningRate), 0);
  }

  @Override
  public NetworkInfo info() {
    return info;
  }

  @Override
  protected void initialize(SplittableRandom random) {
    java.util.Arrays.fill(params, 0f);
  }

  @Override
  protected void forward(int n, boolean training) {
    for (int r = 0; r < n; r++) {
      float sum = params[inputs];
      for (int i = 0; i < inputs; i++) {
        sum += inputBuffers[0][r * inputs + i] * params[i];
      }
      out[r] = sum;
    }
  }

  @Override
  protected float[] output() {
    return out;
  }

  @Override
  protected float[] outputGradient() {
    throw new UnsupportedOperationException("this test network only trains from its loss");
  }

  @Override
  protected float[] layerOutput(int index) {
    if (index != 0) {
      throw new IndexOutOfBoundsException("no layer " + index);
    }
    return out;
  }

  @Override
  protected double loss(int n) {
    double sum = 0;
    for (int r = 0; r < n; r++) {
      double e = (double) out[r] - target[r];
      sum += e * e;
    }
    return sum / n;
  }

  @Override
  protected double backward(int n) {
    java.util.Arrays.fill(grads, 0f);
    for (int r = 0; r < n; r++) {
      float e = 2 * (out[r] - target[r]) / n;
      for (int i = 0; i < inputs; i++) {
        grads[i] += e * inputBuffers[0][r * inputs + i];
      }
      grads[inputs] += e;
    }
    return loss(n);
  }
}
