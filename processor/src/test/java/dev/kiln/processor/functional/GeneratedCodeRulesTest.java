package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules generated code keeps, checked on a deep network: no method over 8,000 bytes of
 * bytecode (HotSpot never JIT-compiles larger ones), no reflection, no loops over layers.
 */
class GeneratedCodeRulesTest {
  /** HotSpot's HugeMethodLimit: larger methods stay interpreted (DontCompileHugeMethods). */
  private static final int HUGE_METHOD_LIMIT = 8000;

  @Test
  void noGeneratedMethodIsHuge() throws IOException {
    for (String className : new String[] {"DeepNetworkModel", "DeepNetworkModel$Program"}) {
      Map<String, Integer> sizes = codeSizes(className);
      assertTrue(sizes.size() > 10, className + " methods: " + sizes.keySet());
      sizes.forEach((method, size) ->
          assertTrue(size < HUGE_METHOD_LIMIT, className + "." + method + " has " + size + " bytes of bytecode"));
    }
  }

  @Test
  void generatedSourceHasNoReflectionAndNoLoops() throws IOException {
    Path source = Path.of("target/generated-test-sources/test-annotations/dev/kiln/processor/functional/DeepNetworkModel.java");
    String text = Files.readString(source);
    assertFalse(text.contains("java.lang.reflect"), "reflection in generated code");
    assertFalse(text.contains("for ("), "a loop in generated code");
    assertFalse(text.contains("while ("), "a loop in generated code");
    assertTrue(text.contains("dense31Forward(n, training);"), "one call per layer");
  }

  @Test
  void deepNetworkTrainsAndMatchesItsParameterCount() {
    DeepNetworkModel model = new DeepNetworkModel(1, 8);
    float[][] x = new float[8][100];
    float[][] y = new float[8][10];
    for (int i = 0; i < 8; i++) {
      x[i][i] = 1;
      y[i][i % 10] = 1;
    }
    assertTrue(Double.isFinite(model.trainOnBatch(x, y)));
    int expected = 0;
    int inputs = 100;
    for (int i = 0; i < 32; i++) {
      int units = 16 + (i * 7) % 48;
      expected += inputs * units + units;
      inputs = units;
    }
    expected += inputs * 10 + 10;
    assertEquals(expected, model.parameterCount());
  }

  /** Bytecode length of each method's Code attribute, read straight from the class file. */
  private static Map<String, Integer> codeSizes(String simpleName) throws IOException {
    String resource = "/dev/kiln/processor/functional/" + simpleName + ".class";
    try (InputStream raw = GeneratedCodeRulesTest.class.getResourceAsStream(resource)) {
      DataInputStream in = new DataInputStream(raw);
      in.readInt(); // magic
      in.readUnsignedShort(); // minor
      in.readUnsignedShort(); // major
      int poolCount = in.readUnsignedShort();
      String[] utf8 = new String[poolCount];
      for (int i = 1; i < poolCount; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 3, 4 -> in.readInt();
          case 5, 6 -> {
            in.readLong();
            i++; // 8-byte constants take two slots
          }
          case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
          case 9, 10, 11, 12, 17, 18 -> in.readInt();
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          default -> throw new IOException("unknown constant pool tag " + tag);
        }
      }
      in.readUnsignedShort(); // access
      in.readUnsignedShort(); // this
      in.readUnsignedShort(); // super
      in.skipBytes(2 * in.readUnsignedShort()); // interfaces
      int fields = in.readUnsignedShort();
      for (int f = 0; f < fields; f++) {
        in.skipBytes(6);
        skipAttributes(in);
      }
      Map<String, Integer> sizes = new LinkedHashMap<>();
      int methods = in.readUnsignedShort();
      for (int m = 0; m < methods; m++) {
        in.readUnsignedShort();
        String name = utf8[in.readUnsignedShort()];
        in.readUnsignedShort();
        int attributes = in.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
          String attribute = utf8[in.readUnsignedShort()];
          int length = in.readInt();
          if (attribute.equals("Code")) {
            in.readUnsignedShort(); // max stack
            in.readUnsignedShort(); // max locals
            int codeLength = in.readInt();
            sizes.merge(name, codeLength, Math::max);
            in.skipBytes(length - 8);
          } else {
            in.skipBytes(length);
          }
        }
      }
      return sizes;
    }
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int count = in.readUnsignedShort();
    for (int a = 0; a < count; a++) {
      in.readUnsignedShort();
      in.skipBytes(in.readInt());
    }
  }
}
