/**
 * Panel styles (the launcher's live in loader.ts). They apply inside the
 * shadow root only, so page CSS cannot reach in and ours cannot leak out.
 * Fixed boxes are placed in the visual viewport (the loader's .r, sized to
 * it); .n is a phone-sized one, where the open panel takes all of it.
 * Text colours meet WCAG AA on their backgrounds: #1a1a1a and #595959 on
 * white or #eef0f3, the brand colour with theme.ink() on it.
 */
export const PANEL_CSS = `
.p{position:fixed;bottom:88px;right:20px;width:370px;height:min(620px,calc(100% - 108px));display:flex;flex-direction:column;
background:#fff;border-radius:14px;box-shadow:0 8px 32px rgba(0,0,0,.28);overflow:hidden;pointer-events:auto}
.left .p{right:auto;left:20px}
.hd{display:flex;align-items:center;gap:8px;padding:12px 12px 12px 16px;background:var(--c);color:var(--i)}
.hd h2{flex:1;margin:0;font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
button{cursor:pointer;border:0;background:none;color:inherit;margin:0;padding:0}
.x{width:36px;height:36px;border-radius:8px;font-size:24px;line-height:36px}
.bn{padding:8px 16px;background:#fff4ce;color:#4d3800;font-size:13px}
.sc{flex:1;overflow-y:auto;padding:12px 14px;overscroll-behavior:contain}
.mo{display:block;margin:0 auto 10px;color:#0b57d0;text-decoration:underline;font-size:13px}
ol{list-style:none;margin:0;padding:0}
li{margin:6px 0;display:flex;flex-direction:column;align-items:flex-start}
.bb{max-width:85%;padding:8px 12px;border-radius:14px;background:#eef0f3;white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:plaintext}
.v{align-items:flex-end}
.v .bb{background:var(--c);color:var(--i)}
.bb a{color:inherit;text-decoration:underline}
.nm,.mt{font-size:12px;color:#595959;margin:2px 4px}
.c0 .nm{display:none}
.sy{display:block;text-align:center;font-size:13px;color:#595959;font-style:italic}
.mt button{color:#0b57d0;text-decoration:underline;margin-left:8px;font-size:12px}
.er{color:#b3261e}
.ty{min-height:20px;margin:4px 2px 0;font-size:13px;color:#595959}
.ft{border-top:1px solid #dcdfe4;padding:10px 12px}
.ft>*+*{margin-top:8px}
.ft form{display:flex;flex-direction:column;gap:8px}
label{font-size:13px;color:#3d3d3d;display:flex;flex-direction:column;gap:3px}
input,textarea{width:100%;font-size:15px;border:1px solid #8a8f98;border-radius:8px;padding:8px 10px;background:#fff;color:#1a1a1a;margin:0}
textarea{resize:none;max-height:120px;min-height:40px;display:block}
.rw{display:flex;gap:8px;align-items:flex-end}
.sb{flex:none;height:40px;padding:0 14px;border-radius:8px;background:var(--c);color:var(--i);font-weight:600}
.sb:disabled{opacity:.55;cursor:default}
.ct{font-size:12px;color:#595959;text-align:right}
.sy.e{font-style:normal;font-weight:600;color:#1a1a1a;margin:12px 0}
.eb{flex:none;height:32px;padding:0 10px;border:1px solid;border-radius:8px;font-size:13px}
.nc{display:block;text-align:center;border-top:1px solid #dcdfe4;margin:16px 0 8px;padding-top:10px}
.nc h3{margin:0;font-size:15px}
.sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.n .p{inset:0;width:auto;height:auto;border-radius:0}.n.o .l{display:none}
@media (prefers-reduced-motion:no-preference){.p{animation:pu .16s ease-out}@keyframes pu{from{opacity:0;transform:translateY(8px)}}}
`;
