package dev.kiln.processor;

import dev.kiln.annotations.Network;
import dev.kiln.processor.layers.LayerKinds;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.NetworkSpec;
import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.model.Site;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Stage 1: reads a {@code @Network} type into a {@link NetworkSpec}. Reports what makes the
 * declaration unreadable (wrong kind of type, malformed layer methods); value rules are the
 * {@link NetworkChecker}'s.
 */
final class NetworkReader {
  static final String LAYER_TYPE = "dev.kiln.runtime.Layer";
  static final String MODEL_TYPE = "dev.kiln.runtime.Model";
  private static final String ANNOTATIONS = "dev.kiln.annotations.";
  private static final List<String> OPTIMIZERS =
      List.of("Sgd", "Momentum", "Nesterov", "AdaGrad", "RmsProp", "Adam", "AdamW");

  private final Elements elements;
  private final Diagnostics diagnostics;

  NetworkReader(Elements elements, Diagnostics diagnostics) {
    this.elements = elements;
    this.diagnostics = diagnostics;
  }

  /** True when a type this network mentions has not been generated yet: try again next round. */
  static boolean hasUnresolvedTypes(TypeElement type) {
    for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
      if (method.getReturnType().getKind() == TypeKind.ERROR) {
        return true;
      }
      for (VariableElement p : method.getParameters()) {
        if (p.asType().getKind() == TypeKind.ERROR) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True when an annotation value on the type or its members did not resolve: javac hands such a
   * value over as an error ({@code @Network(input = AModel.OUTPUT_SIZE)} before AModel is
   * generated), of the wrong type or as {@code <error>}; or a required element is missing. Try
   * again next round; if it never resolves, javac reports the missing symbol (or element) itself.
   */
  static boolean hasUnresolvedValues(TypeElement type) {
    if (hasUnresolvedValues((Element) type)) {
      return true;
    }
    for (Element member : type.getEnclosedElements()) {
      if (hasUnresolvedValues(member)) {
        return true;
      }
      if (member instanceof ExecutableElement method) {
        for (VariableElement p : method.getParameters()) {
          if (hasUnresolvedValues(p)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static boolean hasUnresolvedValues(Element element) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      if (isUnresolved(mirror)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnresolved(AnnotationMirror mirror) {
    if (mirror.getAnnotationType().getKind() == TypeKind.ERROR) {
      return true;
    }
    // An element without a default that was not written (@Network without loss): javac reports it.
    for (ExecutableElement element : ElementFilter.methodsIn(
        mirror.getAnnotationType().asElement().getEnclosedElements())) {
      if (element.getDefaultValue() == null && !mirror.getElementValues().containsKey(element)) {
        return true;
      }
    }
    for (var entry : mirror.getElementValues().entrySet()) {
      if (isUnresolved(entry.getKey().getReturnType(), entry.getValue())) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code value} is not a value of {@code expected}: what javac makes of an unresolved one. */
  private static boolean isUnresolved(TypeMirror expected, javax.lang.model.element.AnnotationValue value) {
    Object v = value.getValue();
    switch (expected.getKind()) {
      case ARRAY:
        if (!(v instanceof List<?> items)) {
          return true;
        }
        TypeMirror component = ((javax.lang.model.type.ArrayType) expected).getComponentType();
        for (Object item : items) {
          if (!(item instanceof javax.lang.model.element.AnnotationValue a) || isUnresolved(component, a)) {
            return true;
          }
        }
        return false;
      case BOOLEAN:
        return !(v instanceof Boolean);
      case BYTE:
        return !(v instanceof Byte);
      case SHORT:
        return !(v instanceof Short);
      case CHAR:
        return !(v instanceof Character);
      case INT:
        return !(v instanceof Integer);
      case LONG:
        return !(v instanceof Long);
      case FLOAT:
        return !(v instanceof Float);
      case DOUBLE:
        return !(v instanceof Double);
      case DECLARED:
        if (v instanceof String) {
          // javac's erroneous value reads as the string "<error>"; a real string prints quoted.
          return value.toString().equals("<error>");
        }
        if (v instanceof TypeMirror t) {
          return t.getKind() == TypeKind.ERROR;
        }
        if (v instanceof AnnotationMirror nested) {
          return isUnresolved(nested);
        }
        return !(v instanceof VariableElement);
      default:
        return true;
    }
  }

  /** The spec, or null when the type cannot be a network at all (already reported). */
  NetworkSpec read(TypeElement type) {
    Site site = new Site(type, mirror(type, "Network"));
    if (!checkTypeShape(type, site)) {
      return null;
    }
    Network network = type.getAnnotation(Network.class);
    OptimizerSpec optimizer = readOptimizer(type);
    List<LayerSpec> layers = new ArrayList<>();
    for (ExecutableElement method : methodsInOrder(type)) {
      boolean inherited = !method.getEnclosingElement().equals(type);
      if (inherited && !hasLayerAnnotation(method)) {
        reportInheritedAbstractMethod(type, method);
        continue;
      }
      if (inherited && !method.getModifiers().contains(Modifier.PUBLIC)
          && !method.getModifiers().contains(Modifier.PROTECTED)
          && !elements.getPackageOf(method).equals(elements.getPackageOf(type))) {
        diagnostics.error(new Site(type, null), null, Message.METHOD_SIGNATURE,
            method.getEnclosingElement().getSimpleName() + "." + method.getSimpleName(),
            "be package-private in a supertype in another package: the generated class cannot implement it");
      }
      LayerSpec layer = readLayer(method);
      if (layer != null) {
        layers.add(layer);
      }
    }
    AnnotationMirror weightsMirror = mirror(type, "Weights");
    dev.kiln.annotations.Weights weights = type.getAnnotation(dev.kiln.annotations.Weights.class);
    return new NetworkSpec(type, site, network.input(), network.loss(), network.labelSmoothing(), network.fromLogits(),
        network.maxBatch(),
        optimizer, weights == null ? null : weights.value(), weights == null ? null : new Site(type, weightsMirror),
        layers);
  }

  private boolean checkTypeShape(TypeElement type, Site site) {
    boolean ok = true;
    boolean isInterface = type.getKind() == ElementKind.INTERFACE;
    boolean isAbstractClass = type.getKind() == ElementKind.CLASS && type.getModifiers().contains(Modifier.ABSTRACT);
    if (!isInterface && !isAbstractClass) {
      String what = type.getKind() == ElementKind.CLASS ? "a concrete class" : "an " + type.getKind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      diagnostics.error(site, null, Message.NETWORK_KIND, type.getSimpleName(), what);
      return false;
    }
    if (!type.getTypeParameters().isEmpty()) {
      diagnostics.error(site, null, Message.NETWORK_GENERIC, type.getSimpleName());
      ok = false;
    }
    boolean nested = type.getNestingKind() == NestingKind.MEMBER;
    if (type.getNestingKind().isNested() && (!nested
        || type.getModifiers().contains(Modifier.PRIVATE)
        || (!isInterface && !type.getModifiers().contains(Modifier.STATIC)))) {
      diagnostics.error(site, null, Message.NETWORK_NESTING, type.getSimpleName());
      ok = false;
    }
    if (type.getModifiers().contains(Modifier.SEALED)) {
      String model = dev.kiln.processor.emit.ModelEmitter.modelName(type).simpleName();
      diagnostics.error(site, null, Message.NETWORK_SEALED, type.getSimpleName(), model,
          isInterface ? "implement" : "extend");
      ok = false;
    }
    if (isAbstractClass) {
      ExecutableElement constructor = null;
      for (ExecutableElement c : ElementFilter.constructorsIn(type.getEnclosedElements())) {
        if (c.getParameters().isEmpty() && !c.getModifiers().contains(Modifier.PRIVATE)) {
          constructor = c;
        }
      }
      if (constructor == null) {
        diagnostics.error(site, null, Message.NETWORK_CONSTRUCTOR, type.getSimpleName());
        ok = false;
      } else {
        for (TypeMirror thrown : constructor.getThrownTypes()) {
          if (isChecked(thrown)) {
            diagnostics.error(new Site(constructor, null), null, Message.NETWORK_CONSTRUCTOR_THROWS,
                type.getSimpleName(), thrown, dev.kiln.processor.emit.ModelEmitter.modelName(type).simpleName());
            ok = false;
          }
        }
      }
    }
    return ok;
  }

  /** Whether a thrown type is a checked exception: not a RuntimeException or an Error. */
  private static boolean isChecked(TypeMirror thrown) {
    TypeMirror t = thrown;
    while (t.getKind() == TypeKind.DECLARED) {
      TypeElement e = (TypeElement) ((javax.lang.model.type.DeclaredType) t).asElement();
      String name = e.getQualifiedName().toString();
      if (name.equals("java.lang.RuntimeException") || name.equals("java.lang.Error")) {
        return false;
      }
      t = e.getSuperclass();
    }
    return true;
  }

  private OptimizerSpec readOptimizer(TypeElement type) {
    Site found = null;
    String kind = null;
    for (AnnotationMirror mirror : type.getAnnotationMirrors()) {
      TypeElement annotation = (TypeElement) mirror.getAnnotationType().asElement();
      String name = annotation.getSimpleName().toString();
      if (!annotation.getQualifiedName().contentEquals(ANNOTATIONS + name) || !OPTIMIZERS.contains(name)) {
        continue;
      }
      if (found != null) {
        diagnostics.error(new Site(type, mirror), null, Message.OPTIMIZER_MULTIPLE, type.getSimpleName(), kind, name);
        continue;
      }
      found = new Site(type, mirror);
      kind = name;
    }
    if (found == null) {
      // Adam with its defaults: read them from the annotation type itself.
      TypeElement adam = elements.getTypeElement(ANNOTATIONS + "Adam");
      List<OptimizerSpec.Hyperparameter> values = new ArrayList<>();
      for (ExecutableElement e : ElementFilter.methodsIn(adam.getEnclosedElements())) {
        values.add(new OptimizerSpec.Hyperparameter(e.getSimpleName().toString(), ((Number) e.getDefaultValue().getValue()).doubleValue()));
      }
      return new OptimizerSpec("Adam", new Site(type, null), values);
    }
    List<OptimizerSpec.Hyperparameter> values = new ArrayList<>();
    TypeElement annotationType = (TypeElement) found.annotation().getAnnotationType().asElement();
    for (ExecutableElement e : ElementFilter.methodsIn(annotationType.getEnclosedElements())) {
      String name = e.getSimpleName().toString();
      values.add(new OptimizerSpec.Hyperparameter(name, ((Number) found.valueOrDefault(elements, name)).doubleValue()));
    }
    return new OptimizerSpec(kind, found, values);
  }

  private LayerSpec readLayer(ExecutableElement method) {
    String name = method.getSimpleName().toString();
    boolean isAbstract = method.getModifiers().contains(Modifier.ABSTRACT);
    List<LayerKinds.Kind> kinds = new ArrayList<>();
    List<AnnotationMirror> mirrors = new ArrayList<>();
    for (LayerKinds.Kind kind : LayerKinds.ALL) {
      AnnotationMirror mirror = mirror(method, kind.annotation());
      if (mirror != null) {
        kinds.add(kind);
        mirrors.add(mirror);
      }
    }
    if (kinds.isEmpty()) {
      if (isAbstract && !isModelMethod(method)) {
        diagnostics.error(new Site(method, null), null, Message.METHOD_UNANNOTATED, name);
      }
      return null;
    }
    Site site = new Site(method, mirrors.get(0));
    if (kinds.size() > 1) {
      diagnostics.error(new Site(method, mirrors.get(1)), null, Message.METHOD_TWO_LAYERS, name,
          kinds.get(0).annotation(), kinds.get(1).annotation());
    }
    // A malformed signature is reported but the layer stays in the model, so the rules that look
    // at the whole network (names, loss, output) see it as declared and report no follow-on errors.
    checkSignature(method, site, isAbstract);
    List<String> inputs = new ArrayList<>();
    for (VariableElement p : method.getParameters()) {
      if (isLayerType(p.asType())) {
        inputs.add(p.getSimpleName().toString());
      }
    }
    return kinds.get(0).reader().apply(new LayerDeclaration(method, site, inputs));
  }

  private void checkSignature(ExecutableElement method, Site site, boolean isAbstract) {
    String name = method.getSimpleName().toString();
    if (!isAbstract) {
      diagnostics.error(site, null, Message.METHOD_NOT_ABSTRACT, name);
    }
    if (!isLayerType(method.getReturnType())) {
      diagnostics.error(site, null, Message.METHOD_RETURN_TYPE, name, method.getReturnType());
    }
    if (!method.getTypeParameters().isEmpty()) {
      diagnostics.error(site, null, Message.METHOD_SIGNATURE, name, "declare type parameters");
    }
    if (!method.getThrownTypes().isEmpty()) {
      diagnostics.error(site, null, Message.METHOD_SIGNATURE, name, "declare thrown exceptions");
    }
    if (method.isVarArgs()) {
      diagnostics.error(site, null, Message.METHOD_SIGNATURE, name, "take varargs");
    }
    if (method.getModifiers().contains(Modifier.PRIVATE)) {
      diagnostics.error(site, null, Message.METHOD_SIGNATURE, name, "be private");
    }
    for (VariableElement p : method.getParameters()) {
      if (!isLayerType(p.asType())) {
        diagnostics.error(new Site(p, null), null, Message.METHOD_PARAMETER_TYPE, p.getSimpleName(), name);
        }
    }
  }

  /**
   * The methods that can declare layers, in layer order: the supertypes' first (superclass, then
   * interfaces, each with its own supertypes before it; a supertype reached twice counts once),
   * then the type's own, each type's in declaration order. A method overridden by a more derived
   * declaration is left out: the override is the declaration.
   */
  private List<ExecutableElement> methodsInOrder(TypeElement type) {
    java.util.LinkedHashSet<TypeElement> order = new java.util.LinkedHashSet<>();
    collectTypes(type, order);
    List<ExecutableElement> methods = new ArrayList<>();
    for (TypeElement t : order) {
      for (ExecutableElement m : ElementFilter.methodsIn(t.getEnclosedElements())) {
        Set<Modifier> mods = m.getModifiers();
        if (t.equals(type) || !(mods.contains(Modifier.STATIC) || mods.contains(Modifier.PRIVATE))) {
          methods.add(m);
        }
      }
    }
    List<ExecutableElement> kept = new ArrayList<>();
    for (ExecutableElement m : methods) {
      boolean overridden = false;
      for (ExecutableElement other : methods) {
        overridden |= other != m && !other.getModifiers().contains(Modifier.STATIC)
            && elements.overrides(other, m, type);
      }
      if (!overridden) {
        kept.add(m);
      }
    }
    return kept;
  }

  /** Post-order over supertypes (without Object and Model): every supertype before its subtypes. */
  private static void collectTypes(TypeElement type, java.util.Set<TypeElement> order) {
    if (order.contains(type) || type.getQualifiedName().contentEquals("java.lang.Object")
        || type.getQualifiedName().contentEquals(MODEL_TYPE)) {
      return;
    }
    if (type.getSuperclass() instanceof javax.lang.model.type.DeclaredType s) {
      collectTypes((TypeElement) s.asElement(), order);
    }
    for (TypeMirror i : type.getInterfaces()) {
      if (i instanceof javax.lang.model.type.DeclaredType d) {
        collectTypes((TypeElement) d.asElement(), order);
      }
    }
    order.add(type);
  }

  private static boolean hasLayerAnnotation(ExecutableElement method) {
    for (LayerKinds.Kind kind : LayerKinds.ALL) {
      if (mirror(method, kind.annotation()) != null) {
        return true;
      }
    }
    return false;
  }

  /** An inherited abstract method that declares no layer: the generated class cannot implement it. */
  private void reportInheritedAbstractMethod(TypeElement type, ExecutableElement method) {
    if (method.getModifiers().contains(Modifier.ABSTRACT) && !isModelMethod(method)) {
      diagnostics.error(new Site(type, null), null, Message.METHOD_UNANNOTATED,
          method.getEnclosingElement().getSimpleName() + "." + method.getSimpleName());
    }
  }

  private static boolean isModelMethod(ExecutableElement method) {
    Element owner = method.getEnclosingElement();
    return owner instanceof TypeElement t && t.getQualifiedName().contentEquals(MODEL_TYPE);
  }

  private static boolean isLayerType(TypeMirror type) {
    return type.getKind() == TypeKind.DECLARED && type.toString().equals(LAYER_TYPE);
  }

  static AnnotationMirror mirror(Element element, String simpleName) {
    for (AnnotationMirror m : element.getAnnotationMirrors()) {
      TypeElement t = (TypeElement) m.getAnnotationType().asElement();
      if (t.getQualifiedName().contentEquals(ANNOTATIONS + simpleName)) {
        return m;
      }
    }
    return null;
  }
}
