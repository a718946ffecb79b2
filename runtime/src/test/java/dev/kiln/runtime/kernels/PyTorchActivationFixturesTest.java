package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelTestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both implementations against PyTorch's own forward values and autograd gradients
 * ({@code fixtures/activations.safetensors}, see {@code src/test/python/FIXTURES.md}): the check
 * that our derivative conventions are PyTorch's, not only self-consistent. The file is read by a
 * few lines here rather than the runtime's reader, so these kernel tests stand on their own.
 */
class PyTorchActivationFixturesTest {

  private static Map<String, float[]> tensors;

  @BeforeAll
  static void load() throws IOException {
    tensors = readSafetensors("/fixtures/activations.safetensors");
  }

  static Stream<Arguments> cases() {
    List<Elementwise> impls = new ArrayList<>();
    impls.add(KernelSelector.scalarElementwise());
    if (KernelSelector.vectorModulePresent()) {
      impls.add(KernelSelector.vectorElementwise());
    }
    String[][] pairs = {
        {"sigmoid", "sigmoid"}, {"tanh", "tanh"}, {"relu", "relu"}, {"leaky_relu", "leakyRelu(0.2)"},
        {"elu", "elu(1.0)"}, {"selu", "selu"}, {"swish", "swish"}, {"gelu", "gelu"},
        {"gelu_tanh", "geluTanh"}, {"softmax", "1.0"}, {"softmax_t2", "2.0"}, {"softmax_t05", "0.5"},
    };
    List<Arguments> cases = new ArrayList<>();
    for (Elementwise k : impls) {
      for (String[] p : pairs) {
        cases.add(Arguments.of(p[0], p[1], k));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} on {2}")
  @MethodSource("cases")
  void matchesPyTorch(String fixture, String kernel, Elementwise k) {
    float[] x = tensor(fixture + ".x");
    float[] yTorch = tensor(fixture + ".y");
    float[] dy = tensor(fixture + ".dy");
    float[] dxTorch = tensor(fixture + ".dx");
    int n = x.length;
    float[] y = new float[n];
    float[] dx = new float[n];
    if (fixture.startsWith("softmax")) {
      int rows = 6;
      int cols = n / rows;
      float invT = 1f / Float.parseFloat(kernel);
      k.softmax(rows, cols, invT, x, 0, y, 0);
      k.softmaxBackward(rows, cols, invT, y, 0, dy, 0, dx, 0);
    } else {
      KernelTestSupport.Activation act = KernelTestSupport.activation(kernel);
      act.forward().apply(k, n, x, 0, y, 0);
      act.backward().apply(k, n, x, 0, y, 0, dy, 0, dx, 0);
    }
    // DESIGN: 1e-5 relative on forward outputs, ~1e-4 on gradients.
    assertClose(yTorch, 0, y, 0, n, 1e-5, 1e-6, fixture + " forward");
    assertClose(dxTorch, 0, dx, 0, n, 1e-4, 1e-6, fixture + " gradient");
  }

  private static float[] tensor(String name) {
    float[] t = tensors.get(name);
    assertNotNull(t, "fixture tensor " + name);
    return t;
  }

  /** Minimal safetensors reader: u64 header length, JSON header, little-endian F32 data. */
  private static Map<String, float[]> readSafetensors(String resource) throws IOException {
    byte[] bytes;
    try (InputStream in = PyTorchActivationFixturesTest.class.getResourceAsStream(resource)) {
      assertNotNull(in, "resource " + resource);
      bytes = in.readAllBytes();
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = (int) buf.getLong(0);
    String header = new String(bytes, 8, headerLength, StandardCharsets.UTF_8);
    int dataStart = 8 + headerLength;
    Pattern entry = Pattern.compile(
        "\"([^\"]+)\"\\s*:\\s*\\{\\s*\"dtype\"\\s*:\\s*\"F32\"[^}]*?\"data_offsets\"\\s*:\\s*\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\]");
    Map<String, float[]> result = new HashMap<>();
    Matcher m = entry.matcher(header);
    while (m.find()) {
      int begin = Integer.parseInt(m.group(2));
      int end = Integer.parseInt(m.group(3));
      float[] values = new float[(end - begin) / 4];
      for (int i = 0; i < values.length; i++) {
        values[i] = buf.getFloat(dataStart + begin + 4 * i);
      }
      result.put(m.group(1), values);
    }
    return result;
  }
}
