package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.internal.LayerInfo;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.internal.TensorSlice;
import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One whole-network fixture written by PyTorch, and comparisons against it. */
final class Fixture {
  final String name;
  final SafeTensorsFile file;

  private Fixture(String name, SafeTensorsFile file) {
    this.name = name;
    this.file = file;
  }

  static Fixture load(String name) throws IOException, URISyntaxException {
    Path path = Path.of(Fixture.class.getResource("/fixtures/" + name + ".safetensors").toURI());
    return new Fixture(name, SafeTensors.read(path));
  }

  int batch() {
    return Integer.parseInt(file.metadata().get("batch"));
  }

  float[][] matrix(String tensor) throws IOException {
    long[] shape = file.info(tensor).shape();
    float[] flat = file.floats(tensor);
    int rows = (int) shape[0];
    int cols = flat.length / rows;
    float[][] out = new float[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, out[r], 0, cols);
    }
    return out;
  }

  /** Restarts the model's noise stream at the fixture's seed, when it has one (dropout nets). */
  void seedNoise(Model model) {
    String seed = file.metadata().get("noise_seed");
    if (seed != null) {
      model.core().setNoiseSeed(Long.parseLong(seed));
    }
  }

  float scalar(String tensor) throws IOException {
    return file.floats(tensor)[0];
  }

  /**
   * Loads the fixture's initial weights into the model through {@link Model#load}, the path a
   * PyTorch {@code state_dict} takes: the weight tensors are copied into a file of their own.
   */
  void loadInitialWeights(Model model, Path dir) throws IOException {
    List<SafeTensors.Tensor> tensors = new ArrayList<>();
    for (LayerInfo layer : model.core().info().layers()) {
      for (TensorSlice slice : layer.tensors()) {
        for (String saved : slice.savedNames()) { // PyTorch's names: an LSTM bias is bias_ih_l0 + bias_hh_l0
          tensors.add(SafeTensors.Tensor.of(saved, file.floats(saved), file.info(saved).shape()));
        }
      }
    }
    Path weights = dir.resolve(name + "-weights.safetensors");
    SafeTensors.write(weights, tensors, Map.of());
    model.load(weights);
    Files.delete(weights);
  }

  /** A model from {@code factory} holding this fixture's initial weights. */
  Model modelAtInitialWeights(java.util.function.LongFunction<Model> factory, Path dir) throws IOException {
    Model model = factory.apply(1);
    loadInitialWeights(model, dir);
    return model;
  }

  /** Compares every parameter tensor of {@code flat} with the fixture's {@code prefix + name}. */
  void assertTensors(Model model, float[] flat, String prefix, double tolerance) throws IOException {
    for (LayerInfo layer : model.core().info().layers()) {
      for (TensorSlice slice : layer.tensors()) {
        assertClose(file.floats(prefix + slice.name()), slice.read(flat), tolerance, name + " " + prefix + slice.name());
      }
    }
  }

  /**
   * Relative comparison: |actual - expected| <= tolerance * max(|expected|, 1e-2 * max|expected|),
   * so entries much smaller than the tensor's largest are compared at the tensor's scale.
   */
  static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    double scale = 0;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      double bound = tolerance * Math.max(Math.abs(expected[i]), 1e-2 * scale);
      if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
        fail(String.format("%s[%d]: expected %.9g, got %.9g (relative error %.3g, tolerance %.1g)",
            what, i, expected[i], actual[i], Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-30),
            tolerance));
      }
    }
  }

  static float[] flatten(float[][] m) {
    int cols = m[0].length;
    float[] out = new float[m.length * cols];
    for (int r = 0; r < m.length; r++) {
      System.arraycopy(m[r], 0, out, r * cols, cols);
    }
    return out;
  }
}
