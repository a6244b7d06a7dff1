// Finds options that are declared but never read: every property of an options type (an
// interface or type alias named *Options, or the object type of a constructor or function
// parameter named opts/options) must be read somewhere in the scanned sources (`x.key`,
// `x['key']`, `{ key } = x`, `'key' in x`), else the option is accepted and ignored.
import ts from 'typescript';

export interface Unread {
  file: string;
  owner: string;
  key: string;
}

function declaredOptions(sf: ts.SourceFile): { owner: string; keys: ts.PropertySignature[] }[] {
  const out: { owner: string; keys: ts.PropertySignature[] }[] = [];
  const members = (t: ts.TypeNode | undefined): ts.PropertySignature[] => {
    if (!t) return [];
    if (ts.isTypeLiteralNode(t)) return t.members.filter(ts.isPropertySignature);
    if (ts.isIntersectionTypeNode(t) || ts.isUnionTypeNode(t)) return t.types.flatMap(members);
    return [];
  };
  const visit = (n: ts.Node): void => {
    if (ts.isInterfaceDeclaration(n) && n.name.text.endsWith('Options')) out.push({ owner: n.name.text, keys: n.members.filter(ts.isPropertySignature) });
    if (ts.isTypeAliasDeclaration(n) && n.name.text.endsWith('Options')) out.push({ owner: n.name.text, keys: members(n.type) });
    if (ts.isParameter(n) && ts.isIdentifier(n.name) && (n.name.text === 'opts' || n.name.text === 'options')) {
      const keys = members(n.type);
      const fn = n.parent as ts.FunctionLikeDeclaration;
      const cls = ts.isConstructorDeclaration(fn) && ts.isClassDeclaration(fn.parent) ? fn.parent.name?.text : undefined;
      const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : (cls ?? 'constructor');
      if (keys.length) out.push({ owner: `${name}(${n.name.text})`, keys });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function reads(sf: ts.SourceFile, into: Set<string>): void {
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n)) into.add(n.name.text);
    else if (ts.isElementAccessExpression(n) && ts.isStringLiteral(n.argumentExpression)) into.add(n.argumentExpression.text);
    else if (ts.isBindingElement(n) && ts.isObjectBindingPattern(n.parent)) {
      const key = n.propertyName ?? n.name;
      if (ts.isIdentifier(key) || ts.isStringLiteral(key)) into.add(key.text);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.InKeyword && ts.isStringLiteral(n.left)) into.add(n.left.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
}

/** The options of `declaring` files that no file of `all` reads. */
export function unreadOptions(declaring: Record<string, string>, all: Record<string, string>): Unread[] {
  const seen = new Set<string>();
  for (const [file, text] of Object.entries(all)) reads(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true), seen);
  const out: Unread[] = [];
  for (const [file, text] of Object.entries(declaring)) {
    for (const { owner, keys } of declaredOptions(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true))) {
      for (const k of keys) {
        const key = ts.isIdentifier(k.name) || ts.isStringLiteral(k.name) ? k.name.text : k.name.getText();
        if (!seen.has(key)) out.push({ file, owner, key });
      }
    }
  }
  return out;
}
