package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/** {@code @Add}: the element-wise sum of two or more inputs of one shape; each input's gradient is the output's. */
public record AddLayer(String name, Site site, List<String> inputs) implements MergeLayer {
  public AddLayer {
    inputs = List.copyOf(inputs);
  }

  static AddLayer read(LayerDeclaration d) {
    return new AddLayer(d.name(), d.site(), d.inputs());
  }

  @Override
  public String typeName() {
    return "Add";
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    for (int i = 1; i < in.size(); i++) {
      if (!in.get(i).equals(in.get(0))) {
        diagnostics.error(site, null, Message.ADD_SHAPES, name, Layers.describe(inputs, in));
        return null;
      }
    }
    return in.get(0);
  }

  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      @Override
      public CodeBlock forward(LayerContext layer) {
        CodeBlock.Builder code = CodeBlock.builder()
            .add("K.add(n * $L, $L, 0, $L, 0, $L, 0);\n", layer.width(), layer.in(0), layer.in(1), layer.out());
        for (int i = 2; i < layer.inputCount(); i++) {
          code.add("K.accumulate(n * $L, $L, 0, $L, 0);\n", layer.width(), layer.in(i), layer.out());
        }
        return code.build();
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (int i = 0; i < layer.inputCount(); i++) {
          code.add(layer.inputGradientAdding(i, (target, accumulate) -> accumulate
              ? CodeBlock.of("K.accumulate(n * $L, $L, 0, $L, 0);\n", layer.width(), layer.grad(), target)
              : CodeBlock.of("$T.arraycopy($L, 0, $L, 0, n * $L);\n", System.class, layer.grad(), target,
                  layer.width())));
        }
        return code.build();
      }
    };
  }
}
