package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
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
import java.util.List;

/**
 * {@code @Flatten}: a sample as one axis, without a copy: the output buffer is the input buffer
 * (row-major channels-last data is already flat), and where this layer is its input's only reader
 * the output gradient is the input's gradient buffer too. PyTorch's {@code nn.Flatten} of NCHW data
 * orders an image's values channels-first; the output shape records that
 * ({@link Shape.SavedOrder}), so a Dense layer reading it saves its weight in PyTorch's column
 * order.
 */
public record FlattenLayer(String name, Site site, List<String> inputs) implements LayerSpec {
  public FlattenLayer {
    inputs = List.copyOf(inputs);
  }

  static FlattenLayer read(LayerDeclaration d) {
    return new FlattenLayer(d.name(), d.site(), d.inputs());
  }

  @Override
  public String typeName() {
    return "Flatten";
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    Shape shape = in.get(0);
    if (shape.rank() < 2) {
      diagnostics.error(site, null, Message.FLATTEN_RANK, name, shape);
      return null;
    }
    Shape flat = Shape.of((int) shape.size());
    if (shape.rank() < 3) {
      return flat; // a sequence [T, F]: PyTorch flattens it in the same order
    }
    // An image [d0, ..., C]: PyTorch holds it as [C, d0, ...]; Kiln's axis i is saved axis i + 1.
    int rank = shape.rank();
    int[] saved = new int[rank];
    int[] order = new int[rank];
    saved[0] = shape.last();
    for (int i = 0; i < rank - 1; i++) {
      saved[i + 1] = shape.dim(i);
      order[i] = i + 1;
    }
    order[rank - 1] = 0;
    return flat.savedAs(new Shape.SavedOrder(saved, order));
  }

  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      @Override
      public List<Buffer> buffers(LayerContext layer) {
        List<Buffer> buffers = new ArrayList<>();
        buffers.add(Buffer.view(layer.out(), layer.in(0)));
        String alias = layer.inputGradientAlias(0);
        buffers.add(alias != null ? Buffer.view(layer.grad(), alias) : Buffer.perSample(layer.grad(), layer.width()));
        return buffers;
      }

      @Override
      public CodeBlock forward(LayerContext layer) {
        // Reassigned each pass: the input may itself be a view that moves (a dropout's output is its
        // own buffer in training and its input at inference).
        return CodeBlock.builder()
            .add("// A view of $L: nothing to compute.\n", layer.in(0))
            .addStatement("$L = $L", layer.out(), layer.in(0))
            .build();
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        if (layer.inputGradientAlias(0) != null) {
          return CodeBlock.of("// $L is a view of the input's gradient: nothing to compute.\n", layer.grad());
        }
        return layer.inputGradient(0, target -> CodeBlock.of("$T.arraycopy($L, 0, $L, 0, n * $L);\n", System.class,
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
