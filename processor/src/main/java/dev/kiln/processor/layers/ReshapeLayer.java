package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.Reshape;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code @Reshape}: the input's values in their row-major order under a new shape of the same size.
 * Buffers are row-major already, so the output is a view of the input buffer, and the gradient
 * buffer is a view of the input's gradient buffer when the reshape is the input's only reader
 * (otherwise its gradient is copied into the input's share, which other readers add to).
 */
public record ReshapeLayer(String name, Site site, List<String> inputs, int[] shape) implements LayerSpec {
  public ReshapeLayer {
    inputs = List.copyOf(inputs);
    shape = shape.clone();
  }

  static ReshapeLayer read(LayerDeclaration d) {
    return new ReshapeLayer(d.name(), d.site(), d.inputs(), d.annotation(Reshape.class).value());
  }

  @Override
  public String typeName() {
    return "Reshape";
  }

  private boolean validShape() {
    return shape.length > 0 && Arrays.stream(shape).allMatch(d -> d > 0);
  }

  @Override
  public void check(Diagnostics diagnostics) {
    if (!validShape()) {
      diagnostics.error(site, "value", Message.RESHAPE_DIMENSION, Arrays.toString(shape));
    }
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    if (!validShape()) {
      return null; // reported by check
    }
    Shape out = Shape.of(shape);
    Shape input = in.get(0);
    if (out.size() != input.size()) {
      diagnostics.error(site, "value", Message.RESHAPE_SIZE, out, out.size(), name, input, input.size());
      return null;
    }
    return out;
  }

  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      @Override
      public List<Buffer> buffers(LayerContext layer) {
        List<Buffer> buffers = new ArrayList<>();
        buffers.add(Buffer.view(layer.out(), layer.in(0)));
        String shared = layer.soleReaderInputGradient(0);
        buffers.add(shared != null ? Buffer.view(layer.grad(), shared) : Buffer.perSample(layer.grad(), layer.width()));
        return buffers;
      }

      @Override
      public CodeBlock forward(LayerContext layer) {
        return CodeBlock.builder()
            .add("// A view: the same values, read with shape $L.\n", Shape.of(shape))
            .addStatement("$L = $L", layer.out(), layer.in(0))
            .build();
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        if (layer.soleReaderInputGradient(0) != null) {
          return CodeBlock.of("// A view: the gradient was written straight into $L.\n",
              layer.soleReaderInputGradient(0));
        }
        return layer.inputGradient(0, target -> CodeBlock.of("System.arraycopy($L, 0, $L, 0, n * $L);\n",
            layer.grad(), target, layer.width()));
      }
    };
  }

  /** Inference passes values through (or moves them): the input's zeros stay. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return inputsHaveZeros.get(0);
  }
}
