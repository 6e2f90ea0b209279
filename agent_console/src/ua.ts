/** Browser and OS from a user agent string: enough for an agent to picture the visitor. */
export interface UserAgentInfo { browser: string; os: string }

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)|Opera\/(\d+)/, 'Opera'],
  [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/YaBrowser\/(\d+)/, 'Yandex'],
  [/Firefox\/(\d+)|FxiOS\/(\d+)/, 'Firefox'],
  [/CriOS\/(\d+)/, 'Chrome'],
  [/(?:Chromium|Chrome)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  [/MSIE (\d+)|Trident\/.*rv:(\d+)/, 'Internet Explorer'],
];

export function parseUserAgent(ua: string | null | undefined): UserAgentInfo {
  const s = ua || '';
  let browser = '';
  for (const [re, name] of BROWSERS) {
    const m = re.exec(s);
    if (m) {
      const version = m.slice(1).find((v) => v);
      browser = version ? `${name} ${version}` : name;
      break;
    }
  }
  if (/HeadlessChrome\/(\d+)/.test(s)) browser = 'Headless Chrome ' + /HeadlessChrome\/(\d+)/.exec(s)![1];
  return { browser, os: parseOs(s) };
}

function parseOs(s: string): string {
  let m: RegExpExecArray | null;
  if ((m = /Windows NT (\d+\.\d+)/.exec(s))) {
    const v: Record<string, string> = { '10.0': '10/11', '6.3': '8.1', '6.2': '8', '6.1': '7' };
    return 'Windows ' + (v[m[1]] || m[1]);
  }
  if ((m = /(?:iPhone|iPad|iPod).*? OS (\d+)[_\d]*/.exec(s))) return (/iPad/.test(s) ? 'iPadOS ' : 'iOS ') + m[1];
  if ((m = /Android (\d+(?:\.\d+)?)/.exec(s))) return 'Android ' + m[1];
  if (/CrOS/.test(s)) return 'ChromeOS';
  if ((m = /Mac OS X (\d+)[_.](\d+)/.exec(s))) return 'macOS ' + m[1] + '.' + m[2];
  if (/Macintosh/.test(s)) return 'macOS';
  if (/Linux/.test(s)) return 'Linux';
  return '';
}
