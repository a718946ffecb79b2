package dev.kiln.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.Shape;
import dev.kiln.runtime.io.KilnFormatException;
import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tensor saved as the sum of several ({@link TensorSlice#savedAs}): an LSTM's one bias is
 * PyTorch's bias_ih_l0 + bias_hh_l0.
 */
class SummedTensorTest {
  @TempDir Path dir;

  private static NetworkInfo info() {
    return new NetworkInfo("Recurrent", Shape.of(2, 3), 1, 1, "mean_squared_error", Accuracy.NONE,
        List.of(new LayerInfo("lstm", "LSTM", Shape.of(1), List.of(), List.of(
            new TensorSlice("lstm.weight_ih_l0", 0, new int[] {4, 3}, new int[] {1, 0}),
            new TensorSlice("lstm.bias", 12, new int[] {4}, new int[] {0}, true,
                List.of("lstm.bias_ih_l0", "lstm.bias_hh_l0"))), "tanh")));
  }

  @Test
  void savesTheValueAndZerosUnderPyTorchsNames() throws Exception {
    float[] params = new float[16];
    for (int i = 0; i < params.length; i++) {
      params[i] = i + 1;
    }
    Path file = dir.resolve("w.safetensors");
    Weights.save(info(), params, file);
    SafeTensorsFile saved = SafeTensors.read(file);
    assertEquals(List.of("lstm.weight_ih_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0"),
        saved.tensors().stream().map(t -> t.name()).toList());
    assertArrayEquals(new float[] {13, 14, 15, 16}, saved.floats("lstm.bias_ih_l0"));
    assertArrayEquals(new float[] {0, 0, 0, 0}, saved.floats("lstm.bias_hh_l0"));
    assertArrayEquals(new long[] {4}, saved.info("lstm.bias_hh_l0").shape());
  }

  @Test
  void loadsTheSumOfTheParts() throws Exception {
    Path file = dir.resolve("torch.safetensors");
    SafeTensors.write(file, List.of(
        SafeTensors.Tensor.of("lstm.weight_ih_l0", new float[12], 4, 3),
        SafeTensors.Tensor.of("lstm.bias_ih_l0", new float[] {1, 2, 3, 4}, 4),
        SafeTensors.Tensor.of("lstm.bias_hh_l0", new float[] {0.5f, -2, 10, 0.25f}, 4)), Map.of());
    float[] params = new float[16];
    Weights.load(info(), params, file);
    assertArrayEquals(new float[] {1.5f, 0, 13, 4.25f}, java.util.Arrays.copyOfRange(params, 12, 16));
  }

  @Test
  void aMissingPartIsNamed() throws Exception {
    Path file = dir.resolve("partial.safetensors");
    SafeTensors.write(file, List.of(
        SafeTensors.Tensor.of("lstm.weight_ih_l0", new float[12], 4, 3),
        SafeTensors.Tensor.of("lstm.bias_ih_l0", new float[] {1, 2, 3, 4}, 4)), Map.of());
    float[] params = new float[16];
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> Weights.load(info(), params, file));
    assertTrue(e.getMessage().contains("missing tensor lstm.bias_hh_l0 needed by network Recurrent"), e.getMessage());
    assertArrayEquals(new float[16], params);
  }

  @Test
  void oneSavedNameIsNotASum() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TensorSlice("a.bias", 0, new int[] {2}, new int[] {0}, true, List.of("a.bias_ih")));
    assertTrue(e.getMessage().contains("two or more names"), e.getMessage());
  }
}
